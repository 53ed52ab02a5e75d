"""Argument checks and the classifier head shared by the case-study builders."""

import keras

from ._arguments import dense, num_classes_argument


def check_input_shape(input_shape, min_size=1, *, default=None, require_static=False):
    """``input_shape`` as a ``(height, width, channels)`` tuple, after checking it.

    Args:
        input_shape: the builder's argument; ``None`` gives ``default``.
        min_size: the smallest height and width the architecture takes.
        default: the shape for ``input_shape=None``; without one, None is an error.
        require_static: height and width must be known (a top that flattens
            the feature map needs them); otherwise either may be None.
    """
    if input_shape is None and default is not None:
        return tuple(default)
    sides = "int" if require_static else "int or None"
    if (not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3
            or not all(d is None or (isinstance(d, int) and not isinstance(d, bool))
                       for d in input_shape)
            or input_shape[2] is None
            or (require_static and None in input_shape)):
        raise TypeError(
            f"input_shape must be (height, width, channels) with {sides} sides and "
            f"a known channel count, got {input_shape!r}"
        )
    if any(d is not None and d < min_size for d in input_shape[:2]) or input_shape[2] < 1:
        raise ValueError(
            f"input_shape must have height and width >= {min_size} and channels >= 1, "
            f"got {tuple(input_shape)}"
        )
    return tuple(input_shape)


def imagenet_stem(inputs, filters=64, normalize=True, epsilon=1e-5, momentum=0.9):
    """7x7/2 convolution, BN, ReLU, 3x3/2 max pool, padded symmetrically (3 and 1 pixels).

    The explicit zero padding is torchvision's and keras.applications'; Keras'
    ``padding="same"`` would pad a stride-2 layer on the bottom and right only.
    ``normalize=False`` leaves out BN and ReLU (pre-activation nets normalise in
    their first block).
    """
    x = keras.layers.ZeroPadding2D(3, name="conv1_pad")(inputs)
    x = keras.layers.Conv2D(filters, 7, strides=2, use_bias=False,
                            kernel_initializer="he_normal", name="conv1")(x)
    if normalize:
        x = keras.layers.BatchNormalization(epsilon=epsilon, momentum=momentum,
                                            name="conv1_bn")(x)
        x = keras.layers.Activation("relu", name="conv1_relu")(x)
    x = keras.layers.ZeroPadding2D(1, name="pool1_pad")(x)
    return keras.layers.MaxPooling2D(3, strides=2, name="pool1")(x)


def classifier_head(x, num_classes, include_top, classifier_activation, dropout_rate=0.0,
                    kernel_initializer="glorot_uniform"):
    """Global average pooling, then (optionally) dropout and the fully connected classifier.

    Global average pooling makes the classifier independent of the input's spatial size:
    the same weights classify a 32x32 and a 224x224 image.
    """
    x = keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
    if not include_top:
        return x
    num_classes_argument(num_classes)
    if dropout_rate > 0:
        x = keras.layers.Dropout(dropout_rate, name="top_dropout")(x)
    return dense(x, num_classes, activation=classifier_activation,
                 kernel_initializer=kernel_initializer, name="predictions")


def trainable_params(model):
    """Trainable parameters, the count PyTorch's ``parameters()`` and papers report.

    Keras' ``count_params()`` also counts batch normalisation's moving mean and
    variance, which are statistics, not parameters.
    """
    return sum(int(keras.ops.size(w)) for w in model.trainable_weights)
