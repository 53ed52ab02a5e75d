"""Forward + backward time of max pooling with argmax + max unpooling, against the plain pair.

``MaxPoolingWithArgmax2D`` + ``MaxUnpooling2D`` against ``keras.layers.MaxPooling2D`` +
``keras.layers.UpSampling2D`` on the same tensor (32 x 64 x 64 x 64 by default), each
pair compiled for the Keras backend in use (``KERAS_BACKEND``; ``--jit``: XLA on
TensorFlow, which JAX always uses) and run alternately; prints the median times and
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

from cnnlab.layers import MaxPoolingWithArgmax2D, MaxUnpooling2D  # noqa: E402
from _steps import device, gradient_step, tensor  # noqa: E402


def step_function(forward, weights, jit):
    return gradient_step(lambda x: keras.ops.sum(forward(x) * weights), jit=jit)


def paired_times(plain, ours, x, repeats):
    """Alternate the two steps and keep every pair: the machine's load changes between
    pairs more than within one, so the median of per-pair ratios is the steady figure."""
    plain(x)  # trace and compile outside the timing
    ours(x)
    pairs = []
    for _ in range(repeats):
        start = time.perf_counter()
        plain(x)
        middle = time.perf_counter()
        ours(x)
        pairs.append((middle - start, time.perf_counter() - middle))
    return pairs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", type=int, nargs=4, default=(32, 64, 64, 64))
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--jit", action="store_true", help="compile with XLA")
    args = parser.parse_args(argv)

    rng = np.random.default_rng(0)
    x = tensor(rng.normal(size=args.shape).astype("float32"))
    weights = tensor(rng.normal(size=args.shape).astype("float32"))

    pool, upsample = keras.layers.MaxPooling2D(2), keras.layers.UpSampling2D(2)
    argmax_pool, unpool = MaxPoolingWithArgmax2D(2), MaxUnpooling2D(2)

    def plain(x):
        return upsample(pool(x))

    def with_indices(x):
        return unpool(list(argmax_pool(x)))

    pairs = paired_times(
        step_function(plain, weights, args.jit), step_function(with_indices, weights, args.jit), x, args.repeats
    )
    plain_s = statistics.median(p for p, _ in pairs)
    ours_s = statistics.median(o for _, o in pairs)
    ratio = statistics.median(o / p for p, o in pairs)
    print(
        f"input {tuple(args.shape)}, forward + backward, {args.repeats} alternating runs, "
        f"{device()}{', XLA' if args.jit else ''}"
    )
    print(f"MaxPooling2D + UpSampling2D:               {plain_s * 1e3:8.2f} ms (median)")
    print(f"MaxPoolingWithArgmax2D + MaxUnpooling2D:   {ours_s * 1e3:8.2f} ms (median)")
    print(f"ratio: {ratio:.2f}x, median of per-run ratios (target: within 2x)")

if __name__ == "__main__":
    main()
