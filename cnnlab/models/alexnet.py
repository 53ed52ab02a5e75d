"""AlexNet (Krizhevsky, Sutskever & Hinton 2012) and ZFNet (Zeiler & Fergus 2013).

AlexNet's input is 227x227: the paper's "224x224" does not fit 11x11 filters
at stride 4 ((224 - 11) / 4 + 1 = 54.25), 227 gives exactly 55. The paper split
conv2, conv4 and conv5 across two GPUs, each half seeing only the 48 (or 192)
channels on its own GPU; ``groups=2`` reproduces that with grouped
convolutions (60,965,224 parameters), ``groups=1`` connects every channel
(62,378,344). The 61,100,840 often quoted (torchvision) is a different network,
Krizhevsky's 2014 "one weird trick" variant (64-192-384-256-256 filters):
``variant="one_weird_trick"``.
"""

import keras

from .._checks import boolean
from ..layers.lrn import LocalResponseNormalization
from ._applications import check_common, load_weights, pool_features
from ._common import check_input_shape
from ._arguments import MAX_WIDTH, PAD, SAME, VALID, activation, check_min_side, dense, memory_checked

VARIANTS = ("original", "one_weird_trick")


def _check_dropout(dropout):
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
        raise ValueError(f"dropout must be a number in [0, 1), got {dropout!r}")


def _classifier(x, units, num_classes, classifier_activation, dropout):
    x = keras.layers.Flatten(name="flatten")(x)
    for index in (6, 7):
        x = dense(x, units, activation="relu", name=f"fc{index}")
        if dropout:
            x = keras.layers.Dropout(dropout, name=f"drop{index}")(x)
    return dense(x, num_classes, activation=classifier_activation, name="predictions")


def _conv(x, filters, kernel_size, name, strides=1, padding="same", groups=1):
    return keras.layers.Conv2D(
        filters, kernel_size, strides=strides, padding=padding, groups=groups, activation="relu", name=name
    )(x)


# The valid 3x3/2 max pools of _pool (pool1, pool2 and pool5 of AlexNet).
POOL = (VALID, 3, 2)


def _pool(x, name, padding="valid"):
    # Overlapping pooling (3x3 windows at stride 2), section 3.4 of the paper.
    return keras.layers.MaxPooling2D(3, strides=2, padding=padding, name=name)(x)


@memory_checked
def alexnet(
    *,
    include_top=True,
    weights=None,
    input_shape=None,
    num_classes=1000,
    pooling=None,
    classifier_activation="softmax",
    groups=None,
    variant="original",
    small=False,
    dropout=0.5,
    name=None,
):
    """Build AlexNet as a Keras functional model.

    Layers (``variant="original"``, the paper's figure 2): conv1 96 11x11/4,
    LRN, max pool 3x3/2; conv2 256 5x5, LRN, max pool; conv3 384 3x3; conv4
    384 3x3; conv5 256 3x3; max pool; fc6 4096, fc7 4096 (dropout 0.5 each);
    predictions. ReLU after every conv and FC layer. The paper normalises
    before pooling (norm1 then pool1), as here; CS231n's table lists pool then
    norm (the CaffeNet order), which has the same shapes and parameters.

    Args:
        include_top: end with fc6, fc7 and predictions; else at pool5 (or ``pooling``).
        weights: None or a ``.weights.h5`` path saved from the same builder
            (there are no published Keras weights for AlexNet).
        input_shape: default ``(227, 227, 3)``; ``(224, 224, 3)`` for the
            one-weird-trick variant; ``(32, 32, 1)`` when ``small``; at least
            67x67 (63x63 for one-weird-trick, 15x15 when ``small``).
        num_classes: units of the last layer.
        pooling: with ``include_top=False``: None, ``"avg"`` or ``"max"``.
        classifier_activation: activation of the last layer (None for logits).
        groups: 2 for the paper's two-GPU split of conv2, conv4 and conv5
            (``Conv2D(groups=2)``), 1 for full connectivity; None (default)
            means 2 for the full-size original and 1 otherwise: TensorFlow's
            CPU kernel for grouped convolutions trains about 25x slower than
            an ungrouped one, so the small variant is ungrouped unless asked.
        variant: ``"original"`` (2012) or ``"one_weird_trick"`` (2014,
            torchvision's AlexNet: 64, 192, 384, 256, 256 filters, padding 2 in
            conv1, no LRN, ``groups`` must be 1).
        small: a narrow variant for 32x32 inputs (5x5 stride-1 conv1, filters
            32-96, FC 256) with the same layer sequence, for CPU training.
        dropout: dropout rate after fc6 and fc7.
        name: model name.

    Returns:
        A ``keras.Model``.

    Example:
        >>> alexnet().count_params()
        60965224
    """
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
    if groups is None:
        groups = 2 if variant == "original" and not small else 1
    if groups not in (1, 2) or isinstance(groups, bool):
        raise ValueError(f"groups must be None, 1 or 2, got {groups!r}")
    if variant == "one_weird_trick" and groups != 1:
        raise ValueError("groups must be 1 with variant='one_weird_trick' (it was trained on one GPU)")
    if variant == "one_weird_trick" and small:
        raise ValueError("small=True is only defined for variant='original'")
    boolean(small, "small")
    _check_dropout(dropout)
    check_common(num_classes, include_top, pooling, weights, classifier_activation)
    if small:
        default_shape = (32, 32, 1)
    else:
        default_shape = (227, 227, 3) if variant == "original" else (224, 224, 3)
    activation(classifier_activation, "classifier_activation")
    input_shape = check_input_shape(input_shape, default=default_shape, require_static=include_top)
    if variant == "one_weird_trick":
        chain = ((PAD, 2), (VALID, 11, 4), POOL, POOL, POOL)
    else:
        chain = (() if small else ((VALID, 11, 4),)) + (POOL, POOL, POOL)
    check_min_side(input_shape, chain, "alexnet")

    inputs = keras.Input(shape=input_shape)
    if variant == "one_weird_trick":
        x = keras.layers.ZeroPadding2D(2, name="conv1_pad")(inputs)
        x = _conv(x, 64, 11, "conv1", strides=4, padding="valid")
        x = _pool(x, "pool1")
        x = _conv(x, 192, 5, "conv2")
        x = _pool(x, "pool2")
        x = _conv(x, 384, 3, "conv3")
        x = _conv(x, 256, 3, "conv4")
        x = _conv(x, 256, 3, "conv5")
        units = 4096
    else:
        if small:
            widths, units = (32, 64, 96, 96, 64), 256
            x = _conv(inputs, widths[0], 5, "conv1")
        else:
            widths, units = (96, 256, 384, 384, 256), 4096
            x = _conv(inputs, widths[0], 11, "conv1", strides=4, padding="valid")
        x = LocalResponseNormalization(name="norm1")(x)
        x = _pool(x, "pool1")
        x = _conv(x, widths[1], 5, "conv2", groups=groups)
        x = LocalResponseNormalization(name="norm2")(x)
        x = _pool(x, "pool2")
        # conv3 reads both GPUs' halves (the paper's only cross-GPU conv), so it is never grouped.
        x = _conv(x, widths[2], 3, "conv3")
        x = _conv(x, widths[3], 3, "conv4", groups=groups)
        x = _conv(x, widths[4], 3, "conv5", groups=groups)
    x = _pool(x, "pool5")
    if include_top:
        x = _classifier(x, units, num_classes, classifier_activation, dropout)
    else:
        x = pool_features(x, pooling)
    default_name = "alexnet" if variant == "original" else "alexnet_owt"
    model = keras.Model(inputs, x, name=name or (default_name + ("_small" if small else "")))
    return load_weights(model, weights, "alexnet")


@memory_checked
def zfnet(
    *,
    include_top=True,
    weights=None,
    input_shape=None,
    num_classes=1000,
    pooling=None,
    classifier_activation="softmax",
    conv345_filters=(512, 1024, 512),
    small=False,
    dropout=0.5,
    name=None,
):
    """Build ZFNet (Zeiler & Fergus 2013) as a Keras functional model.

    AlexNet with what the deconvnet visualisations suggested: conv1 7x7 at
    stride 2 instead of 11x11 at stride 4 (fewer dead filters and no aliasing;
    a 110x110 instead of 55x55 map), conv2 at stride 2, and in the best model
    conv3-5 widened to 512, 1024, 512 filters (the paper's figure 3 shows 384,
    384, 256: pass ``conv345_filters=(384, 384, 256)``). No GPU grouping.
    Sizes follow the paper's figure 3 at 224x224: conv1 with padding 1 gives
    110, the first two pools (``"same"``, like Caffe's ceil mode) 55 and 13,
    conv2 (5x5/2) 26, pool5 6.

    Args:
        include_top: end with fc6, fc7 and predictions; else at pool5 (or ``pooling``).
        weights: None or a ``.weights.h5`` path saved from the same builder.
        input_shape: default ``(224, 224, 3)``, or ``(32, 32, 1)`` when ``small``;
            at least 53x53 (9x9 when ``small``).
        num_classes: units of the last layer.
        pooling: with ``include_top=False``: None, ``"avg"`` or ``"max"``.
        classifier_activation: activation of the last layer (None for logits).
        conv345_filters: filters of conv3, conv4 and conv5.
        small: a narrow variant for 32x32 inputs (3x3 stride-1 conv1 where the
            small AlexNet has 5x5, conv3-5 at 1/8 of ``conv345_filters``, FC 256).
        dropout: dropout rate after fc6 and fc7.
        name: model name.

    Returns:
        A ``keras.Model``.
    """
    if (
        not isinstance(conv345_filters, (tuple, list))
        or len(conv345_filters) != 3
        or not all(isinstance(f, int) and not isinstance(f, bool) and 1 <= f <= MAX_WIDTH
                   for f in conv345_filters)
    ):
        raise ValueError(f"conv345_filters must be a tuple of 3 ints in [1, {MAX_WIDTH}], "
                         f"got {conv345_filters!r}")
    boolean(small, "small")
    _check_dropout(dropout)
    check_common(num_classes, include_top, pooling, weights, classifier_activation)
    activation(classifier_activation, "classifier_activation")
    input_shape = check_input_shape(input_shape, default=(32, 32, 1) if small else (224, 224, 3), require_static=include_top)
    if small:
        chain = ((SAME, 2), (SAME, 2), POOL)
    else:
        chain = ((PAD, 1), (VALID, 7, 2), (SAME, 2), (VALID, 5, 2), (SAME, 2), POOL)
    check_min_side(input_shape, chain, "zfnet")

    inputs = keras.Input(shape=input_shape)
    if small:
        widths, units = (32, 64), 256
        x = _conv(inputs, widths[0], 3, "conv1")
        conv2_strides, conv2_padding = 1, "same"
    else:
        widths, units = (96, 256), 4096
        x = keras.layers.ZeroPadding2D(1, name="conv1_pad")(inputs)
        x = _conv(x, widths[0], 7, "conv1", strides=2, padding="valid")
        conv2_strides, conv2_padding = 2, "valid"
    x = LocalResponseNormalization(name="norm1")(x)
    x = _pool(x, "pool1", padding="same")
    x = _conv(x, widths[1], 5, "conv2", strides=conv2_strides, padding=conv2_padding)
    x = LocalResponseNormalization(name="norm2")(x)
    x = _pool(x, "pool2", padding="same")
    for index, filters in enumerate(conv345_filters, start=3):
        x = _conv(x, filters // 8 if small else filters, 3, f"conv{index}")
    x = _pool(x, "pool5")
    if include_top:
        x = _classifier(x, units, num_classes, classifier_activation, dropout)
    else:
        x = pool_features(x, pooling)
    model = keras.Model(inputs, x, name=name or ("zfnet_small" if small else "zfnet"))
    return load_weights(model, weights, "zfnet")
