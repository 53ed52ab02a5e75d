"""DeformableConv2D forward + backward time as a ratio to Conv2D of the same shape.

Both layers run inside one compiled function (for the Keras backend in use,
``KERAS_BACKEND``: a ``tf.function``, ``jax.jit``, or PyTorch's eager autograd) that
computes the output and the gradients of its sum with respect to the input and every
weight, the work of one training step. The deformable layer's offset branch is part of its cost, as it is
in training. A fresh layer predicts zero offsets, which read the input in order
and flatter the gather; by default the offset branch gets random weights that
give offsets of about 2 pixels (standard deviation) varying from pixel to pixel,
as in a trained layer (``--offsets zero`` measures the fresh layer). Prints one line per shape with the fastest of repeated calls and their ratios.
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import cnnlab.notebook  # noqa: E402

SHAPES = (
    # batch, height, width, in channels, filters, kernel. DCN replaces the 3x3
    # convolutions of a ResNet's later stages (Dai et al. 2017, Zhu et al. 2019),
    # the first two rows; the last is the size of the course's small models, where
    # the sampling (which grows with C) weighs most against the product (C * filters).
    (4, 28, 28, 128, 128, 3),
    (8, 14, 14, 256, 256, 3),
    (8, 32, 32, 32, 32, 3),
)


def training_step(layer, x):
    """A compiled function computing the output and all gradients of its sum."""
    import keras
    from _steps import gradient_step

    if not layer.built:
        layer.build(x.shape)
    step = gradient_step(lambda inputs: keras.ops.sum(layer(inputs)), layer.trainable_weights)
    step(x)
    return step


def spread_offsets(layer, x, pixels, seed=0):
    """Random offset-branch weights giving offsets with standard deviation ``pixels``."""
    import keras
    import numpy as np

    rng = np.random.default_rng(seed)
    kernel, bias = layer.offset_conv.get_weights()
    fan_in = kernel.shape[0] * kernel.shape[1] * kernel.shape[2]
    scale = pixels / np.sqrt(fan_in * float(np.mean(np.square(keras.ops.convert_to_numpy(x)))))
    layer.offset_conv.set_weights(
        [rng.normal(0.0, scale, kernel.shape).astype("float32"), np.zeros_like(bias)]
    )


def best_times(steps, x, repeats):
    """Fastest of ``repeats`` calls of each step, the calls interleaved.

    The minimum, not the mean, because on a shared machine other processes only
    ever add time; interleaving exposes every step to the same load.
    """
    best = [float("inf")] * len(steps)
    for _ in range(repeats):
        for i, step in enumerate(steps):
            start = time.perf_counter()
            step(x)
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--offsets", choices=("random", "zero"), default="random",
                        help="offsets of about 2 pixels (a trained layer) or zero (a fresh one)")
    args = parser.parse_args(argv)
    cnnlab.notebook.setup(seed=0, plots=False)
    import keras
    import numpy as np

    from cnnlab.layers.deformable import DeformableConv2D
    from _steps import device, tensor

    print(device())

    print(f"{'input':>16} {'filters':>7} {'Conv2D ms':>10} {'Deformable ms':>14} "
          f"{'modulated ms':>13} {'ratio':>6} {'ratio v2':>8}")
    for batch, h, w, c, filters, k in SHAPES:
        x = tensor(np.random.default_rng(0).normal(size=(batch, h, w, c)).astype("float32"))
        deformables = [DeformableConv2D(filters, k, padding="same", modulated=modulated)
                       for modulated in (False, True)]
        for layer in deformables:
            layer.build(x.shape)
            if args.offsets == "random":
                spread_offsets(layer, x, pixels=2.0)
        steps = [training_step(keras.layers.Conv2D(filters, k, padding="same"), x)]
        steps += [training_step(layer, x) for layer in deformables]
        plain, deform, modulated = best_times(steps, x, args.repeats)
        print(f"{str((batch, h, w, c)):>16} {filters:>7} {plain * 1e3:>10.2f} "
              f"{deform * 1e3:>14.2f} {modulated * 1e3:>13.2f} {deform / plain:>6.1f} "
              f"{modulated / plain:>8.1f}")


if __name__ == "__main__":
    main()
