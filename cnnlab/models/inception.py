"""Inception v3 (Szegedy et al. 2016, "Rethinking the Inception Architecture").

``inception_v3()`` is ``keras.applications.InceptionV3`` built from the
``cnnlab.layers`` blocks: same layers in the same order (23,851,784
parameters at 299x299 with 1000 classes, BatchNormalization moving statistics
included), so Keras' weights copy over one to one.
"""

import keras

from cnnlab.layers.inception import GridReduction, InceptionV3A, InceptionV3B, InceptionV3C

from .._checks import boolean
from ._applications import check_common, load_weights, pool_features
from ._common import check_input_shape
from ._arguments import VALID, activation, check_min_side, dense, memory_checked

# What changes the map's size in _full_size and _small: the stem's valid
# convolutions and pools, and each GridReduction (3x3/2 "valid" branches).
GRID_REDUCTION = (VALID, 3, 2)
FULL_CHAIN = ((VALID, 3, 2), (VALID, 3, 1), (VALID, 3, 2), (VALID, 3, 1), (VALID, 3, 2),
              GRID_REDUCTION, GRID_REDUCTION)
SMALL_CHAIN = ((VALID, 3, 2), GRID_REDUCTION, GRID_REDUCTION)


def _conv_bn(x, filters, kernel_size, strides=1, padding="same", momentum=0.99):
    x = keras.layers.Conv2D(filters, kernel_size, strides=strides, padding=padding, use_bias=False)(x)
    x = keras.layers.BatchNormalization(momentum=momentum, scale=False)(x)
    return keras.layers.ReLU()(x)


def _full_size(x):
    # The stem: 299 -> 149 -> 147 -> 147 -> 73 -> 73 -> 71 -> 35.
    x = _conv_bn(x, 32, 3, strides=2, padding="valid")
    x = _conv_bn(x, 32, 3, padding="valid")
    x = _conv_bn(x, 64, 3)
    x = keras.layers.MaxPooling2D(3, strides=2)(x)
    x = _conv_bn(x, 80, 1, padding="valid")
    x = _conv_bn(x, 192, 3, padding="valid")
    x = keras.layers.MaxPooling2D(3, strides=2)(x)
    # 35x35: three blocks with the 5x5 factorised into two 3x3s.
    x = InceptionV3A(64, (48, 64), (64, 96, 96), 32, name="mixed0")(x)
    x = InceptionV3A(64, (48, 64), (64, 96, 96), 64, name="mixed1")(x)
    x = InceptionV3A(64, (48, 64), (64, 96, 96), 64, name="mixed2")(x)
    x = GridReduction((384,), filters_3x3dbl=(64, 96, 96), name="mixed3")(x)
    # 17x17: 7x7 convolutions factorised into 1x7 and 7x1.
    x = InceptionV3B(192, (128, 128, 192), (128, 128, 128, 128, 192), 192, name="mixed4")(x)
    for index in (5, 6):
        x = InceptionV3B(192, (160, 160, 192), (160, 160, 160, 160, 192), 192, name=f"mixed{index}")(x)
    x = InceptionV3B(192, (192, 192, 192), (192, 192, 192, 192, 192), 192, name="mixed7")(x)
    x = GridReduction((192, 320), filters_7x7x3=(192, 192, 192, 192), name="mixed8")(x)
    # 8x8: expanded filter banks.
    for index in (9, 10):
        x = InceptionV3C(320, (384, 384), (448, 384, 384), 192, name=f"mixed{index}")(x)
    return x


def _small(x):
    # For 32x32 inputs: 32 -> 15 -> 7 -> 3, widths about a quarter of the full
    # model's. BN momentum 0.9: a few hundred steps leave Keras' 0.99 moving
    # statistics half at their initial values, and inference-mode accuracy at chance.
    m = 0.9
    x = _conv_bn(x, 32, 3, momentum=m)
    x = keras.layers.MaxPooling2D(3, strides=2)(x)
    x = InceptionV3A(16, (12, 16), (16, 24, 24), 16, bn_momentum=m, name="mixed0")(x)
    x = GridReduction((96,), filters_3x3dbl=(16, 24, 24), bn_momentum=m, name="mixed1")(x)
    x = InceptionV3B(48, (32, 32, 48), (32, 32, 32, 32, 48), 48, n=3, bn_momentum=m, name="mixed2")(x)
    x = GridReduction((48, 80), filters_7x7x3=(48, 48, 48, 48), bn_momentum=m, name="mixed3")(x)
    return InceptionV3C(80, (96, 96), (112, 96, 96), 48, bn_momentum=m, name="mixed4")(x)


@memory_checked
def inception_v3(
    *,
    include_top=True,
    weights=None,
    input_shape=None,
    num_classes=1000,
    pooling=None,
    classifier_activation="softmax",
    small=False,
    name=None,
):
    """Build Inception v3 as a Keras functional model.

    Args:
        include_top: end with global average pooling and the classifier;
            else at ``mixed10`` (or ``pooling``).
        weights: None, a ``.weights.h5`` path saved from the same builder, or
            ``"imagenet"``: builds ``keras.applications.InceptionV3`` with
            ImageNet weights (downloaded or cached by Keras) and copies them
            (full size, 3 channels, and 299x299 with 1000 classes when ``include_top``).
        input_shape: default ``(299, 299, 3)``, or ``(32, 32, 1)`` when ``small``;
            at least 75x75 (15x15 when ``small``).
        num_classes: units of the last layer.
        pooling: with ``include_top=False``: None, ``"avg"`` or ``"max"``.
        classifier_activation: activation of the last layer (None for logits).
        small: one block of each kind (A, reduction, B with n=3, reduction,
            C) at a quarter of the width, for 32x32 inputs and CPU training.
        name: model name.

    Returns:
        A ``keras.Model``.

    Example:
        >>> inception_v3().count_params()
        23851784
    """
    boolean(small, "small")
    check_common(num_classes, include_top, pooling, weights, classifier_activation)
    activation(classifier_activation, "classifier_activation")
    input_shape = check_input_shape(input_shape, default=(32, 32, 1) if small else (299, 299, 3), require_static=False)
    check_min_side(input_shape, SMALL_CHAIN if small else FULL_CHAIN,
                   "inception_v3(small=True)" if small else "inception_v3")

    inputs = keras.Input(shape=input_shape)
    x = _small(inputs) if small else _full_size(inputs)
    if include_top:
        x = keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = dense(x, num_classes, activation=classifier_activation, name="predictions")
    else:
        x = pool_features(x, pooling)
    default_name = "inception_v3" + ("_small" if small else "")
    model = keras.Model(inputs, x, name=name or default_name)

    imagenet_source = None
    if not small and input_shape[-1] == 3 and (not include_top or (input_shape == (299, 299, 3) and num_classes == 1000)):

        def imagenet_source():
            return keras.applications.InceptionV3(weights="imagenet", include_top=include_top, input_shape=input_shape)

    return load_weights(model, weights, "inception_v3", imagenet_source)
