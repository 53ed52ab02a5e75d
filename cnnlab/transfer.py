"""Transfer learning: pre-trained backbones, freezing, new heads, layer-wise learning rates.

The lecture's recipe in four calls::

    base = backbone("cnnlab-mini")             # pre-trained on digits 0-4
    freeze(base)                               # conv layers: learning rate 0
    model = replace_head(base, num_classes=5)  # a new, freshly initialised classifier
    model.compile(LayerwiseLR(keras.optimizers.SGD(0.1), {"block3_conv": 0.1}), ...)

Changing ``trainable`` only takes effect at the next ``compile``.
"""

import numbers
import os
from pathlib import Path

import keras

from ._checks import boolean
from .layerwise_lr import LayerwiseLR  # noqa: F401  (part of the recipe, documented here)
from .models._arguments import MAX_CLASSES, VALID, check_min_side
from .models._arguments import activation as check_activation
from .models._common import check_input_shape

# cnnlab-mini is the checkpoint "cnnlab-mini" of cnnlab.pretrained (its recipe:
# cnnlab/pretrained/recipes/cnnlab_mini.py); these names stay for existing code.
WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
MINI_NAME = "cnnlab-mini"
MINI_WEIGHTS = WEIGHTS_DIR / "cnnlab_mini.weights.h5"
MINI_CARD = WEIGHTS_DIR / "cnnlab_mini.json"

_APPLICATIONS = {
    "mobilenet_v2": "MobileNetV2",
    "densenet121": "DenseNet121",
    "resnet50": "ResNet50",
    "vgg16": "VGG16",
    "efficientnet_b0": "EfficientNetB0",
}
BACKBONES = (MINI_NAME, *sorted(_APPLICATIONS))


# ---------------------------------------------------------------- cnnlab-mini


def _check_num_classes(num_classes):
    """A head needs two classes at least (one class has nothing to tell apart)."""
    if (isinstance(num_classes, bool) or not isinstance(num_classes, numbers.Integral)
            or not 2 <= num_classes <= MAX_CLASSES):
        raise ValueError(f"num_classes must be an int in [2, {MAX_CLASSES:,}], got {num_classes!r}")


def cnnlab_mini(num_classes=5, input_shape=(32, 32, 1), include_top=True, name="cnnlab_mini"):
    """The small CNN that cnnlab pre-trains: three conv blocks, global pooling, a softmax.

    conv3x3(16)-BN-ReLU-maxpool, conv3x3(32)-BN-ReLU-maxpool, conv3x3(64)-BN-ReLU,
    global average pooling to a 64-d feature, Dense(num_classes). Layer names
    (``block1_conv`` ... ``features``, ``head``) are what ``freeze`` and
    ``LayerwiseLR`` refer to.

    Args:
        num_classes: classes of the softmax head (5 for the shipped weights).
        input_shape: (H, W, C); any H, W >= 4 take the same weights.
        include_top: add the Dense head; False ends at the 64-d ``features``.
        name: model name.

    Returns:
        An uncompiled functional ``keras.Model``.
    """
    _check_num_classes(num_classes)
    boolean(include_top, "include_top")
    input_shape = check_input_shape(input_shape)
    # Two 2x2/2 "valid" max pools: block3 needs at least one pixel.
    check_min_side(input_shape, ((VALID, 2, 2),) * 2, "cnnlab_mini")
    layers = keras.layers
    inputs = keras.Input(shape=input_shape, name="image")
    x = inputs
    for block, filters in enumerate((16, 32, 64), start=1):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"block{block}_conv")(x)
        # Keras' default momentum of 0.99 needs thousands of steps to forget
        # the initial moving variance of 1; a few hundred steps on a small
        # source set would leave inference-mode statistics far off.
        x = layers.BatchNormalization(momentum=0.9, name=f"block{block}_bn")(x)
        x = layers.ReLU(name=f"block{block}_relu")(x)
        if block < 3:
            x = layers.MaxPooling2D(2, name=f"block{block}_pool")(x)
    x = layers.GlobalAveragePooling2D(name="features")(x)
    if include_top:
        x = layers.Dense(num_classes, activation="softmax", name="head")(x)
    return keras.Model(inputs, x, name=name)


def mini_card():
    """What the shipped cnnlab-mini weights were trained on, and their test accuracy.

    ``cnnlab.pretrained.card("cnnlab-mini")`` with the metric also under the keys this
    function has always used: ``test_accuracy`` and ``test_size``.
    """
    from . import pretrained

    card = pretrained.card(MINI_NAME)
    return {**card, "test_accuracy": card["metric"]["value"], "test_size": card["data"]["test_size"]}


# ------------------------------------------------------------------ backbones


class WeightsNotAvailableError(RuntimeError):
    """Pre-trained weights are neither in the Keras cache nor downloadable here."""


def backbone(name, weights="pretrained", input_shape=None, include_top=False):
    """A pre-trained network to transfer from.

    Args:
        name: "cnnlab-mini" (shipped with cnnlab, trained on digits 0-4 at
            32x32; see ``mini_card()``) or a ``keras.applications`` name:
            "mobilenet_v2", "densenet121", "resnet50", "vgg16", "efficientnet_b0".
        weights: "pretrained" (cnnlab-mini's shipped weights, or "imagenet"
            for the applications), "imagenet", or None for a random initialisation.
        input_shape: (H, W, C); defaults to (32, 32, 1) for cnnlab-mini and to
            the application's own default otherwise.
        include_top: keep the source classifier (5 digits, or 1,000 ImageNet
            classes); the default ends at the feature extractor.

    Returns:
        A ``keras.Model``. Applications without a top end in a feature map
        (``replace_head`` adds the pooling).

    Raises:
        WeightsNotAvailableError: ImageNet weights are not in the Keras cache
            (``$KERAS_HOME/models``, default ``~/.keras/models``) and cannot be
            downloaded; the message names the file and where to put it.
    """
    if name not in BACKBONES:
        raise ValueError(f"name must be one of {BACKBONES}, got {name!r}")
    allowed = ("pretrained", None) if name == MINI_NAME else ("pretrained", "imagenet", None)
    if weights not in allowed:
        raise ValueError(f"weights for {name!r} must be one of {allowed}, got {weights!r}")
    boolean(include_top, "include_top")
    if name == MINI_NAME:
        card = mini_card()
        if weights == "pretrained" and input_shape is not None:
            _check_mini_input(input_shape, tuple(card["input_shape"]))
        full = cnnlab_mini(card["num_classes"], input_shape=input_shape or tuple(card["input_shape"]))
        if weights == "pretrained":
            full.load_weights(MINI_WEIGHTS)
        if include_top:
            return full
        return keras.Model(full.input, full.get_layer("features").output, name="cnnlab_mini_features")
    constructor = getattr(keras.applications, _APPLICATIONS[name])
    kwargs = {"include_top": include_top, "weights": None if weights is None else "imagenet"}
    if input_shape is not None:
        kwargs["input_shape"] = tuple(input_shape)
    if weights is None:
        return constructor(**kwargs)
    return _with_weights_error(name, constructor, kwargs)


def _check_mini_input(input_shape, trained):
    """The shipped weights fit any height and width, but only the trained channel count."""
    channels = trained[-1]
    if (not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3
            or input_shape[-1] != channels):
        raise ValueError(
            f"the shipped cnnlab-mini weights need input_shape (height, width, {channels}) "
            f"(trained on {trained[0]}x{trained[1]} images with {channels} channel"
            f"{'s' if channels != 1 else ''}, any height and width), got {input_shape!r}; "
            "pass weights=None for another input"
        )


def _with_weights_error(name, constructor, kwargs):
    """Build a keras.applications model, turning a failed weight download into advice.

    Keras fetches weights with ``file_utils.get_file``; wrapping it for the
    duration of the constructor is the only way to learn which file the
    application wanted (the name depends on width, resolution and top).
    """
    from keras.src.backend import config
    from keras.src.utils import file_utils

    original = file_utils.get_file

    def get_file(fname=None, origin=None, *args, **kw):
        try:
            return original(fname, origin, *args, **kw)
        except Exception as err:
            base = os.path.expanduser(kw.get("cache_dir") or config.keras_home())
            if not os.access(base, os.W_OK):
                base = os.path.join("/tmp", ".keras")
            target = os.path.join(base, kw.get("cache_subdir", "datasets"), fname)
            raise WeightsNotAvailableError(
                f"ImageNet weights for {name!r} are not in the Keras cache and could not be "
                f"downloaded ({err}). Download\n    {origin}\non a machine with a network and "
                f"place it at\n    {target}\n(set KERAS_HOME before starting Python to use "
                f"another cache), or use backbone({name!r}, weights=None)."
            ) from err

    file_utils.get_file = get_file
    try:
        return constructor(**kwargs)
    finally:
        file_utils.get_file = original


# ------------------------------------------------------- freezing and heads


def _check_model(model):
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__} {model!r:.80}")
    return model


def _position(model, where, argument):
    """Turn a layer name, index or fraction into a slice position in ``model.layers``."""
    count = len(model.layers)
    if isinstance(where, str):
        names = [layer.name for layer in model.layers]
        if where not in names:
            raise ValueError(f"{argument} must name a layer of {model.name!r} (one of {names}), got {where!r}")
        return names.index(where)
    if isinstance(where, bool):
        raise TypeError(f"{argument} must be a layer name, an int index or a float fraction, got {where!r}")
    if isinstance(where, numbers.Integral):
        if not -count <= where <= count:
            raise ValueError(f"{argument} must be an index in [{-count}, {count}], got {where!r}")
        return int(where) % count if where < 0 else int(where)
    if isinstance(where, numbers.Real):
        if not 0.0 <= where <= 1.0:
            raise ValueError(f"{argument} as a fraction must be in [0, 1], got {where!r}")
        return int(where * count)
    raise TypeError(f"{argument} must be a layer name, an int index or a float fraction, got {where!r}")


def freeze(model, up_to=None):
    """Set ``trainable = False`` on the lower layers of ``model`` (learning rate 0).

    Args:
        model: a ``keras.Model``.
        up_to: which layers, counted in ``model.layers``: a layer name freezes
            every layer up to and including it; an int ``k`` freezes
            ``model.layers[:k]`` (as in ``for layer in model.layers[:k]``); a
            float ``f`` in [0, 1] freezes the first ``int(f * len(model.layers))``;
            None freezes every layer.

    A frozen ``BatchNormalization`` layer runs in inference mode in Keras 3:
    it normalises with its moving statistics and does not update them, even
    inside ``fit``. Re-``compile`` after freezing.

    Returns:
        ``model``.
    """
    _check_model(model)
    stop = len(model.layers) if up_to is None else _position(model, up_to, "up_to")
    if isinstance(up_to, str):
        stop += 1
    for layer in model.layers[:stop]:
        layer.trainable = False
    return model


def unfreeze(model, from_=None, *, batchnorm=False):
    """Set ``trainable = True`` on the upper layers of ``model`` (fine-tuning).

    Args:
        model: a ``keras.Model``.
        from_: a layer name (it and every layer above it), an int ``k``
            (``model.layers[k:]``), a float fraction (the same position as in
            ``freeze``: ``unfreeze(m, 0.75)`` unfreezes what ``freeze(m, 0.75)``
            left trainable), or None for every layer.
        batchnorm: also unfreeze ``BatchNormalization`` layers. The Keras
            fine-tuning rule is to leave them frozen (False): on a small
            target set their batch statistics are noisy and updating the
            moving averages would destroy what the backbone learnt.

    Returns:
        ``model``.
    """
    _check_model(model)
    boolean(batchnorm, "batchnorm")
    start = 0 if from_ is None else _position(model, from_, "from_")
    for layer in model.layers[start:]:
        _unfreeze_layer(layer, batchnorm)
    return model


def _unfreeze_layer(layer, batchnorm):
    if isinstance(layer, keras.layers.BatchNormalization):
        layer.trainable = batchnorm
        return
    sublayers = getattr(layer, "layers", None)
    if sublayers is None:
        layer.trainable = True
        return
    # A nested model: trainable must be True on the container for any of its
    # layers to train, and its BatchNormalization layers keep the rule.
    layer.trainable = True
    for sublayer in sublayers:
        _unfreeze_layer(sublayer, batchnorm)


def replace_head(model, num_classes, *, cut_at=None, pooling="avg", dropout=0.0, activation="softmax",
                 seed=None, name=None):
    """A new classifier on an existing backbone: the "new label set, new output layer" step.

    The layers up to ``cut_at`` are shared with ``model`` (same weights, same
    ``trainable`` flags); the new Dense layer is freshly initialised.

    Args:
        model: a functional ``keras.Model`` (a backbone or a whole classifier).
        num_classes: int >= 2, the size of the new label set.
        cut_at: name or index of the last layer to keep; None keeps all of a
            model whose output is a feature (map), and drops the last layer of
            one that ends in a Dense classifier.
        pooling: "avg", "max" or None: how a 4-D feature map becomes a vector
            (ignored when the kept output is already a vector).
        dropout: rate of a Dropout before the new Dense, in [0, 1).
        activation: activation of the new Dense ("softmax", or None for logits).
        seed: int seed of the new head's initialiser (None: Keras' global seed).
        name: name of the new model.

    Returns:
        A ``keras.Model`` from ``model.inputs`` to the new ``num_classes`` output.
    """
    _check_num_classes(num_classes)
    if pooling not in ("avg", "max", None):
        raise ValueError(f"pooling must be 'avg', 'max' or None, got {pooling!r}")
    if isinstance(dropout, bool) or not isinstance(dropout, numbers.Real) or not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be a float in [0, 1), got {dropout!r}")
    check_activation(activation, "activation")
    if not isinstance(model, keras.Model) or not getattr(model, "inputs", None):
        raise TypeError(f"model must be a built functional keras.Model, got {type(model).__name__}")
    if cut_at is None:
        last = model.layers[-1]
        keep = model.layers[-2] if isinstance(last, keras.layers.Dense) else last
    elif isinstance(cut_at, str) or (isinstance(cut_at, numbers.Integral) and not isinstance(cut_at, bool)):
        position = _position(model, cut_at, "cut_at")
        if position == len(model.layers):
            raise ValueError(f"cut_at must index a layer of {model.name!r}, got {cut_at!r}")
        keep = model.layers[position]
    else:
        raise TypeError(f"cut_at must be a layer name or an int index, got {cut_at!r}")
    x = keep.output
    if len(x.shape) == 4:
        if pooling is None:
            x = keras.layers.Flatten(name="head_flatten")(x)
        else:
            pool = keras.layers.GlobalAveragePooling2D if pooling == "avg" else keras.layers.GlobalMaxPooling2D
            x = pool(name="head_pool")(x)
    if dropout:
        x = keras.layers.Dropout(dropout, seed=seed, name="head_dropout")(x)
    initializer = keras.initializers.GlorotUniform(seed=seed)
    outputs = keras.layers.Dense(num_classes, activation=activation, kernel_initializer=initializer,
                                 name="new_head")(x)
    inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
    return keras.Model(inputs, outputs, name=name or f"{model.name}_new_head")
