"""Forward throughput of cnnlab's ResNet-50, DenseNet-121 and EfficientNet-B0 against
keras.applications.

Both models of a pair get the same input batch; DenseNet-121 and EfficientNet-B0 also
get the same weights (their layers line up one to one) and their outputs are checked to
agree before timing. keras.applications' ResNet50 is not the same network (its convolutions
have biases and its stage-opening blocks stride in the first 1x1 convolution, Caffe style,
while cnnlab strides in the 3x3 as torchvision does, 4.09 against 3.86 G multiply-adds), so
that pair only compares speed. Each forward pass is compiled for the Keras backend in use (``KERAS_BACKEND``); the two
run alternately, and the script prints images per second and the median of per-pair time
ratios cnnlab / Keras (target: at most 1.1).

    python benchmarks/models_modern.py [--batch 4] [--repeats 7] [--models resnet50 ...]
"""

import argparse
import statistics

import cnnlab.notebook

# Before TensorFlow loads: quiet its start-up logging, as the notebooks do.
cnnlab.notebook.setup(seed=0, deterministic=False, plots=False)

import keras  # noqa: E402
import numpy as np  # noqa: E402

from cnnlab.models import densenet, efficientnet, resnet  # noqa: E402
from _pairs import forward_function, paired_times  # noqa: E402
from _steps import tensor  # noqa: E402

# name -> (cnnlab builder, keras.applications builder, input side, same weights?)
PAIRS = {
    "resnet50": (lambda: resnet(50), lambda: keras.applications.ResNet50(weights=None), 224,
                 False),
    "densenet121": (lambda: densenet(121), lambda: keras.applications.DenseNet121(weights=None),
                    224, True),
    "efficientnet_b0": (lambda: efficientnet(0),
                        lambda: keras.applications.EfficientNetB0(weights=None), 224, True),
}


def copy_weights(source, target):
    """Copy weights in order; SE kernels differ only in shape (1x1 conv against matrix)."""
    for theirs, ours in zip(source.weights, target.weights, strict=True):
        ours.assign(np.reshape(keras.ops.convert_to_numpy(theirs), tuple(ours.shape)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--models", nargs="+", choices=sorted(PAIRS), default=list(PAIRS))
    args = parser.parse_args(argv)
    print(f"{'model':>16} {'keras img/s':>12} {'cnnlab img/s':>13} {'ratio':>6}  same weights")
    for name in args.models:
        build_ours, build_theirs, side, same_weights = PAIRS[name]
        ours, theirs = build_ours(), build_theirs()
        x = tensor(np.random.default_rng(0).uniform(0.0, 255.0, (args.batch, side, side, 3)).astype("float32"))
        if same_weights:
            copy_weights(theirs, ours)
            np.testing.assert_allclose(keras.ops.convert_to_numpy(ours(x, training=False)),
                                       keras.ops.convert_to_numpy(theirs(x, training=False)),
                                       rtol=1e-4, atol=1e-5)
        pairs = paired_times(forward_function(theirs), forward_function(ours), x, args.repeats)
        best_theirs = min(t for t, _ in pairs)
        best_ours = min(o for _, o in pairs)
        ratio = statistics.median(o / t for t, o in pairs)
        print(f"{name:>16} {args.batch / best_theirs:>12.1f} {args.batch / best_ours:>13.1f} "
              f"{ratio:>6.2f}  {'yes' if same_weights else 'no'}")


if __name__ == "__main__":
    main()
