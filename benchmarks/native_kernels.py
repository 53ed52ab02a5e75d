"""What turning oneDNN's convolution kernels off costs, on the Keras backend in use.

``cnnlab.notebook.setup()`` and the test session set ``TF_ENABLE_ONEDNN_OPTS=0``
(TensorFlow) and ``torch.backends.mkldnn.enabled = False`` (PyTorch) on x86-64
CPUs, because the oneDNN kernels crash on the weight gradient of a 1x1 stride-2
convolution (README, "Known limitations"). This times the course's typical
work with and without the switch, each in a fresh process (the switch acts only
before the library starts):

- ``train``: ``fit_steps`` of a small VGG-style CNN on 32x32 digits (batch 32);
- ``resnet``: ``fit_steps`` of ``resnet_cifar(8)``, whose projection shortcuts are
  the crashing convolution (a crash is reported, not timed);
- ``forward``: inference of ``resnet_cifar(20)`` on 256 images.

JAX's XLA CPU kernels are not oneDNN's; there is nothing to switch.

    KERAS_BACKEND=torch python benchmarks/native_kernels.py [--repeats 3]
"""

import argparse
import json
import os
import subprocess
import sys
import time

WORKLOADS = ("train", "resnet", "forward")


def child(workload, repeats):
    import cnnlab.notebook

    cnnlab.notebook.setup(seed=0, plots=False)
    import keras
    import numpy as np

    from cnnlab import data, models, training

    split = data.digits(image_size=32)
    if workload == "forward":
        model = models.resnet_cifar(20, input_shape=(32, 32, 1), num_classes=10)
        x = split.x_train[:256]
        run = lambda: model.predict(x, batch_size=64, verbose=0)  # noqa: E731
    else:
        if workload == "train":
            layers = keras.layers
            model = keras.Sequential([keras.Input((32, 32, 1)), layers.Conv2D(16, 3, activation="relu"),
                                      layers.MaxPooling2D(), layers.Conv2D(32, 3, activation="relu"),
                                      layers.MaxPooling2D(), layers.Flatten(), layers.Dense(10, activation="softmax")])
        else:
            model = models.resnet_cifar(8, input_shape=(32, 32, 1), num_classes=10)
        model.compile(keras.optimizers.SGD(0.05), "sparse_categorical_crossentropy")
        run = lambda: training.fit_steps(model, split.x_train, split.y_train, steps=30)  # noqa: E731
    run()  # compile outside the timing
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    print(json.dumps({"seconds": best, "finite": bool(np.isfinite(model.get_weights()[0]).all())}))


def measure(workload, keep_onednn, repeats):
    env = {k: v for k, v in os.environ.items() if k != "TF_ENABLE_ONEDNN_OPTS"}
    env["CNNLAB_KEEP_ONEDNN"] = "1" if keep_onednn else "0"
    result = subprocess.run([sys.executable, __file__, "--child", workload, "--repeats", str(repeats)],
                            capture_output=True, text=True, env=env, timeout=1800)
    if result.returncode != 0:
        return f"crashed ({result.returncode})"
    return json.loads(result.stdout.strip().splitlines()[-1])["seconds"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", choices=WORKLOADS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, args.repeats)
    from cnnlab import backend

    name = backend.name()
    if name == "jax":
        print("jax: XLA's CPU kernels are not oneDNN's; nothing to switch")
        return None
    if not backend.onednn_affected():
        print(f"{name}: this CPU does not run oneDNN's x86-64 kernels; nothing to switch")
        return None
    print(f"{name}, best of {args.repeats}, seconds")
    print(f"{'workload':>10} {'oneDNN on':>12} {'oneDNN off':>11} {'off / on':>9}")
    for workload in WORKLOADS:
        on = measure(workload, True, args.repeats)
        off = measure(workload, False, args.repeats)
        ratio = f"{off / on:9.2f}" if isinstance(on, float) and isinstance(off, float) else f"{'-':>9}"
        cells = [f"{v:12.2f}" if isinstance(v, float) else f"{v:>12}" for v in (on, off)]
        print(f"{workload:>10} {cells[0]} {cells[1][1:]} {ratio}", flush=True)
    return None


if __name__ == "__main__":
    main()
