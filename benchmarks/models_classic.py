"""Forward throughput of cnnlab's VGG16 and InceptionV3 against keras.applications.

Each pair gets the same weights (copied from the Keras model) and the same input
batch; both forward passes are compiled for the Keras backend in use (``KERAS_BACKEND``) and run
alternately, and the script prints images per second and the median of the
per-pair time ratios cnnlab / Keras (the target is at most 1.1). The outputs
are checked to agree before timing.

    python benchmarks/models_classic.py [--batch 4] [--repeats 5] [--models vgg16 inception_v3]
"""

import argparse
import statistics

import cnnlab.notebook

# Before TensorFlow loads: quiet its start-up logging, as the notebooks do.
cnnlab.notebook.setup(seed=0, deterministic=False, plots=False)

import keras  # noqa: E402
import numpy as np  # noqa: E402

from cnnlab.models import inception_v3, vgg  # noqa: E402
from cnnlab.models._applications import copy_weights  # noqa: E402
from _pairs import forward_function, paired_times  # noqa: E402
from _steps import tensor  # noqa: E402

PAIRS = {
    "vgg16": (lambda: vgg(16), lambda: keras.applications.VGG16(weights=None), 224),
    "inception_v3": (inception_v3, lambda: keras.applications.InceptionV3(weights=None), 299),
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--models", nargs="+", choices=sorted(PAIRS), default=sorted(PAIRS, reverse=True))
    args = parser.parse_args(argv)

    rng = np.random.default_rng(0)
    for name in args.models:
        make_ours, make_theirs, size = PAIRS[name]
        theirs, ours = make_theirs(), make_ours()
        copy_weights(theirs, ours)
        x = tensor(rng.uniform(-1, 1, (args.batch, size, size, 3)).astype("float32"))
        ours_forward, theirs_forward = forward_function(ours), forward_function(theirs)
        np.testing.assert_allclose(ours_forward(x), theirs_forward(x), rtol=1e-3, atol=1e-6)
        pairs = paired_times(theirs_forward, ours_forward, x, args.repeats)
        keras_time = statistics.median(t for t, _ in pairs)
        cnnlab_time = statistics.median(t for _, t in pairs)
        ratio = statistics.median(o / t for t, o in pairs)
        print(
            f"{name:13s} batch {args.batch} {size}x{size}: keras {args.batch / keras_time:6.2f} img/s, "
            f"cnnlab {args.batch / cnnlab_time:6.2f} img/s, time ratio cnnlab/keras {ratio:.3f} (target <= 1.1)"
        )
        del theirs, ours


if __name__ == "__main__":
    main()
