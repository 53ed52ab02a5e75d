"""GoogLeNet (Szegedy et al. 2015, "Going deeper with convolutions").

Paper-faithful: the table 1 layer sizes, 5x5 convolutions in the 5x5 branches,
biases on every convolution, no batch normalization, LRN after the first two
convolutions, global average pooling, dropout 0.4 and one linear layer. That
gives 6,998,552 parameters at 1000 classes without the auxiliary heads
("about 7M"). torchvision's 6,624,904 is another convention: BatchNorm after
each convolution, no conv biases and 3x3 kernels in the "5x5" branches.

``googlenet(aux_classifiers=True)`` returns the *training* model with three
outputs, ``{"predictions", "aux1", "aux2"}``, to be compiled with
``loss_weights=AUX_LOSS_WEIGHTS`` (0.3 for each auxiliary, as in the paper);
``googlenet_inference(model)`` drops the auxiliary heads and shares every
weight with it.
"""

import keras

from cnnlab.layers.inception import InceptionModule
from cnnlab.layers.lrn import LocalResponseNormalization

from .._checks import boolean
from ._applications import check_common, load_weights, pool_features
from ._common import check_input_shape
from ._arguments import SAME, VALID, activation, check_min_side, dense, memory_checked

# Table 1 of the paper: name, #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj.
# "pool" marks the 3x3/2 max pools between the stages.
INCEPTION_TABLE = (
    ("3a", 64, 96, 128, 16, 32, 32),
    ("3b", 128, 128, 192, 32, 96, 64),
    "pool",
    ("4a", 192, 96, 208, 16, 48, 64),
    ("4b", 160, 112, 224, 24, 64, 64),
    ("4c", 128, 128, 256, 24, 64, 64),
    ("4d", 112, 144, 288, 32, 64, 64),
    ("4e", 256, 160, 320, 32, 128, 128),
    "pool",
    ("5a", 256, 160, 320, 32, 128, 128),
    ("5b", 384, 192, 384, 48, 128, 128),
)
# Auxiliary classifiers read the outputs of these modules (section 5 of the paper).
AUX_AFTER = {"4a": "aux1", "4d": "aux2"}
AUX_LOSS_WEIGHTS = {"predictions": 1.0, "aux1": 0.3, "aux2": 0.3}
# The small variant divides every width by this.
SMALL_DIVISOR = 8


def _auxiliary_head(x, name, num_classes, classifier_activation, small):
    """5x5/3 average pool, 1x1 conv 128, FC 1024, dropout 0.7, classifier."""
    conv_filters, units = (32, 256) if small else (128, 1024)
    x = keras.layers.AveragePooling2D(5, strides=3, name=f"{name}_pool")(x)
    x = keras.layers.Conv2D(conv_filters, 1, activation="relu", name=f"{name}_conv")(x)
    x = keras.layers.Flatten(name=f"{name}_flatten")(x)
    x = dense(x, units, activation="relu", name=f"{name}_fc")
    x = keras.layers.Dropout(0.7, name=f"{name}_dropout")(x)
    return dense(x, num_classes, activation=classifier_activation, name=name)


@memory_checked
def googlenet(
    aux_classifiers=True,
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
    """Build GoogLeNet (Inception v1) as a Keras functional model.

    Args:
        aux_classifiers: with ``include_top``, add the two auxiliary
            classifiers after inception (4a) and (4d) and return a training
            model whose outputs are a dict ``{"predictions", "aux1", "aux2"}``;
            compile it with ``loss_weights=AUX_LOSS_WEIGHTS``.
        include_top: end with global average pooling, dropout 0.4 and the
            classifier; else at inception (5b) (or ``pooling``), without
            auxiliary heads.
        weights: None or a ``.weights.h5`` path saved from the same builder
            (Keras publishes no GoogLeNet weights).
        input_shape: default ``(224, 224, 3)``, or ``(32, 32, 1)`` when ``small``;
            with the auxiliary heads at least 65x65 (17x17 when ``small``).
        num_classes: units of each classifier.
        pooling: with ``include_top=False``: None, ``"avg"`` or ``"max"``.
        classifier_activation: activation of the classifiers (None for logits).
        small: every width divided by 8 and a stem for 32x32 inputs
            (3x3 stride-1 convolutions, one 3x3/2 pool); nine inception
            modules and the auxiliary heads as in the full model. Its modules
            use batch normalization (momentum 0.9): without it the 22-layer
            net does not start learning within a few epochs from Glorot
            initialisation (the paper trained for days, with its auxiliary
            heads partly to fight exactly that).
        name: model name.

    Returns:
        A ``keras.Model``.

    Example:
        >>> googlenet(aux_classifiers=False).count_params()
        6998552
    """
    boolean(aux_classifiers, "aux_classifiers")
    boolean(small, "small")
    check_common(num_classes, include_top, pooling, weights, classifier_activation)
    activation(classifier_activation, "classifier_activation")
    input_shape = check_input_shape(input_shape, default=(32, 32, 1) if small else (224, 224, 3), require_static=False)
    if aux_classifiers and include_top:
        # The first auxiliary head pools 5x5/3 (valid) what inception_4a outputs,
        # after conv1 and pool1 (full size only), pool2 and pool3, all stride 2 "same".
        strides = ((SAME, 2),) * (2 if small else 4)
        check_min_side(input_shape, strides + ((VALID, 5, 3),), "googlenet(aux_classifiers=True)")
    divisor = SMALL_DIVISOR if small else 1

    inputs = keras.Input(shape=input_shape)
    if small:
        x = keras.layers.Conv2D(16, 3, padding="same", activation="relu", name="conv1")(inputs)
    else:
        x = keras.layers.Conv2D(64, 7, strides=2, padding="same", activation="relu", name="conv1")(inputs)
        x = keras.layers.MaxPooling2D(3, strides=2, padding="same", name="pool1")(x)
    x = LocalResponseNormalization(name="norm1")(x)
    x = keras.layers.Conv2D(64 // divisor, 1, activation="relu", name="conv2_reduce")(x)
    x = keras.layers.Conv2D(192 // divisor, 3, padding="same", activation="relu", name="conv2")(x)
    x = LocalResponseNormalization(name="norm2")(x)
    x = keras.layers.MaxPooling2D(3, strides=2, padding="same", name="pool2")(x)

    auxiliary = {}
    with_aux = aux_classifiers and include_top
    pools = 2
    for row in INCEPTION_TABLE:
        if row == "pool":
            pools += 1
            x = keras.layers.MaxPooling2D(3, strides=2, padding="same", name=f"pool{pools}")(x)
            continue
        module, *filters = row
        x = InceptionModule(
            *(f // divisor for f in filters), batch_norm=small, bn_momentum=0.9, name=f"inception_{module}"
        )(x)
        if with_aux and module in AUX_AFTER:
            head = AUX_AFTER[module]
            auxiliary[head] = _auxiliary_head(x, head, num_classes, classifier_activation, small)

    if include_top:
        x = keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = keras.layers.Dropout(0.4, name="dropout")(x)
        x = dense(x, num_classes, activation=classifier_activation, name="predictions")
    else:
        x = pool_features(x, pooling)
    default_name = "googlenet" + ("_small" if small else "")
    outputs = {"predictions": x, **auxiliary} if with_aux else x
    model = keras.Model(inputs, outputs, name=name or default_name)
    return load_weights(model, weights, "googlenet")


def googlenet_inference(model):
    """The inference model of a GoogLeNet training model: auxiliary heads dropped.

    The returned model is built from the same layer objects, so it shares
    every variable with ``model``: training one trains the other.

    Args:
        model: a model from ``googlenet(aux_classifiers=True)``.

    Returns:
        A ``keras.Model`` from ``model``'s input to its ``"predictions"`` output.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model from googlenet(), got {type(model).__name__}")
    try:
        predictions = model.get_layer("predictions")
    except ValueError:
        raise ValueError(
            f"model must be a googlenet(include_top=True) model with a 'predictions' layer; "
            f"{model.name!r} has none"
        ) from None
    return keras.Model(model.inputs, predictions.output, name=f"{model.name}_inference")
