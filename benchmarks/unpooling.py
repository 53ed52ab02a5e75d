"""Forward + backward time of max pooling with argmax + max unpooling, against the plain pair.

``MaxPoolingWithArgmax2D`` + ``MaxUnpooling2D`` against ``keras.layers.MaxPooling2D`` +
``keras.layers.UpSampling2D`` on the same tensor (32 x 64 x 64 x 64 by default), each
pair compiled in a ``tf.function`` and run alternately; prints the median times and
the median of the per-run ratios (the target is within 2x).

    python benchmarks/unpooling.py [--shape 32 64 64 64] [--repeats 20] [--jit]
"""

import argparse
import statistics
import time

import cnnlab.notebook

# Before TensorFlow loads: quiet its start-up logging, as the notebooks do.
cnnlab.notebook.setup(seed=0, deterministic=False, plots=False)

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from cnnlab.layers import MaxPoolingWithArgmax2D, MaxUnpooling2D  # noqa: E402


def step_function(forward, jit):
    @tf.function(jit_compile=jit)
    def step(x, weights):
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_sum(forward(x) * weights)
        return tape.gradient(loss, x)

    return step


def paired_times(plain, ours, x, weights, repeats):
    """Alternate the two steps and keep every pair: the machine's load changes between
    pairs more than within one, so the median of per-pair ratios is the steady figure."""
    plain(x, weights).numpy()  # trace and compile outside the timing
    ours(x, weights).numpy()
    pairs = []
    for _ in range(repeats):
        start = time.perf_counter()
        plain(x, weights).numpy()
        middle = time.perf_counter()
        ours(x, weights).numpy()
        pairs.append((middle - start, time.perf_counter() - middle))
    return pairs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", type=int, nargs=4, default=(32, 64, 64, 64))
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--jit", action="store_true", help="compile with XLA")
    args = parser.parse_args(argv)

    rng = np.random.default_rng(0)
    x = tf.constant(rng.normal(size=args.shape).astype("float32"))
    weights = tf.constant(rng.normal(size=args.shape).astype("float32"))

    pool, upsample = keras.layers.MaxPooling2D(2), keras.layers.UpSampling2D(2)
    argmax_pool, unpool = MaxPoolingWithArgmax2D(2), MaxUnpooling2D(2)

    def plain(x):
        return upsample(pool(x))

    def with_indices(x):
        return unpool(list(argmax_pool(x)))

    pairs = paired_times(
        step_function(plain, args.jit), step_function(with_indices, args.jit), x, weights,
        args.repeats,
    )
    plain_s = statistics.median(p for p, _ in pairs)
    ours_s = statistics.median(o for _, o in pairs)
    ratio = statistics.median(o / p for p, o in pairs)
    device = "GPU" if tf.config.list_physical_devices("GPU") else "CPU"
    print(
        f"input {tuple(args.shape)}, forward + backward, {args.repeats} alternating runs, "
        f"{device}{', XLA' if args.jit else ''}"
    )
    print(f"MaxPooling2D + UpSampling2D:               {plain_s * 1e3:8.2f} ms (median)")
    print(f"MaxPoolingWithArgmax2D + MaxUnpooling2D:   {ours_s * 1e3:8.2f} ms (median)")
    print(f"ratio: {ratio:.2f}x, median of per-run ratios (target: within 2x)")

if __name__ == "__main__":
    main()
