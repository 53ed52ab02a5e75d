"""VGG (Simonyan & Zisserman 2014): only 3x3 convolutions, stacked deep.

``vgg(depth=16)`` and ``vgg(depth=19)`` are layer for layer (names included)
``keras.applications.VGG16`` and ``VGG19``: 138,357,544 and 143,667,240
parameters at 224x224 with 1000 classes. Depth counts the weight layers
(convolutions and fully-connected), never pooling, input or softmax.
"""

import keras

from .._checks import boolean
from ._applications import check_common, load_weights, pool_features
from ._common import check_input_shape
from ._arguments import VALID, activation, check_min_side, dense, int_choice, memory_checked

# Convolutions per block for each depth (the paper's table 1, configurations A, B, D, E).
BLOCKS = {11: (1, 1, 2, 2, 2), 13: (2, 2, 2, 2, 2), 16: (2, 2, 3, 3, 3), 19: (2, 2, 4, 4, 4)}
FILTERS = (64, 128, 256, 512, 512)
FC_UNITS = 4096
SMALL_FILTERS = (16, 32, 64, 128, 128)
SMALL_FC_UNITS = 256


@memory_checked
def vgg(
    depth=16,
    batch_norm=False,
    *,
    include_top=True,
    weights=None,
    input_shape=None,
    num_classes=1000,
    pooling=None,
    classifier_activation="softmax",
    small=False,
    dropout=0.5,
    name=None,
):
    """Build VGG-11/13/16/19 as a Keras functional model.

    Args:
        depth: 11, 13, 16 or 19 weight layers.
        batch_norm: BatchNormalization between each convolution and its ReLU
            (the later "VGG-BN" variant; the paper had none).
        include_top: end with the three fully-connected layers (fc1, fc2,
            predictions); else end at ``block5_pool`` (or ``pooling``).
        weights: None, a ``.weights.h5`` path saved from the same builder, or
            ``"imagenet"``, which builds ``keras.applications.VGG16``/``VGG19``
            with ImageNet weights (downloaded or cached by Keras) and copies them
            (depth 16/19, ``batch_norm=False``, full size, 1000 classes when
            ``include_top``).
        input_shape: ``(height, width, channels)``, at least 32x32 (five 2x2/2
            pools); default ``(224, 224, 3)``, or ``(32, 32, 1)`` when ``small``.
        num_classes: units of the last layer.
        pooling: with ``include_top=False``: None, ``"avg"`` or ``"max"``.
        classifier_activation: activation of the last layer (None for logits).
        small: a narrow variant for 32x32 inputs (filters 16-128, FC 256) with
            the same depth and block structure, which trains in seconds on a CPU.
        dropout: dropout rate after fc1 and fc2.
        name: model name; default ``"vgg16"`` etc.

    Returns:
        A ``keras.Model``.

    Example:
        >>> vgg(16).count_params()
        138357544
    """
    int_choice(depth, "depth", tuple(BLOCKS))
    boolean(batch_norm, "batch_norm")
    boolean(small, "small")
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
        raise ValueError(f"dropout must be a number in [0, 1), got {dropout!r}")
    check_common(num_classes, include_top, pooling, weights, classifier_activation)
    default_shape = (32, 32, 1) if small else (224, 224, 3)
    activation(classifier_activation, "classifier_activation")
    input_shape = check_input_shape(input_shape, default=default_shape, require_static=include_top)
    # Each of the five blocks ends in a 2x2/2 max pool.
    check_min_side(input_shape, ((VALID, 2, 2),) * len(BLOCKS[depth]), "vgg")
    filters = SMALL_FILTERS if small else FILTERS
    units = SMALL_FC_UNITS if small else FC_UNITS

    inputs = keras.Input(shape=input_shape)
    x = inputs
    for block, (convs, width) in enumerate(zip(BLOCKS[depth], filters), start=1):
        for index in range(1, convs + 1):
            layer_name = f"block{block}_conv{index}"
            if batch_norm:
                x = keras.layers.Conv2D(width, 3, padding="same", name=layer_name)(x)
                x = keras.layers.BatchNormalization(name=f"{layer_name}_bn")(x)
                x = keras.layers.ReLU(name=f"{layer_name}_relu")(x)
            else:
                x = keras.layers.Conv2D(width, 3, padding="same", activation="relu", name=layer_name)(x)
        x = keras.layers.MaxPooling2D(2, strides=2, name=f"block{block}_pool")(x)

    if include_top:
        x = keras.layers.Flatten(name="flatten")(x)
        x = dense(x, units, activation="relu", name="fc1")
        if dropout:
            x = keras.layers.Dropout(dropout, name="fc1_dropout")(x)
        x = dense(x, units, activation="relu", name="fc2")
        if dropout:
            x = keras.layers.Dropout(dropout, name="fc2_dropout")(x)
        x = dense(x, num_classes, activation=classifier_activation, name="predictions")
    else:
        x = pool_features(x, pooling)

    default_name = f"vgg{depth}" + ("_bn" if batch_norm else "") + ("_small" if small else "")
    model = keras.Model(inputs, x, name=name or default_name)

    imagenet_source = None
    published = depth in (16, 19) and not batch_norm and not small
    if published and input_shape[-1] == 3 and (not include_top or (input_shape == (224, 224, 3) and num_classes == 1000)):

        def imagenet_source():
            application = keras.applications.VGG16 if depth == 16 else keras.applications.VGG19
            return application(weights="imagenet", include_top=include_top, input_shape=input_shape)

    return load_weights(model, weights, default_name, imagenet_source)
