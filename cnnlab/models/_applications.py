"""Shared argument handling of the classic builders, in the style of ``keras.applications``."""

import os

import keras

from .._checks import boolean
from ._arguments import num_classes_argument


def check_common(num_classes, include_top, pooling, weights, classifier_activation):
    boolean(include_top, "include_top")
    num_classes_argument(num_classes)
    if pooling not in (None, "avg", "max"):
        raise ValueError(f"pooling must be None, 'avg' or 'max', got {pooling!r}")
    if weights is not None and not isinstance(weights, (str, os.PathLike)):
        raise TypeError(f"weights must be None, 'imagenet' or a path to a .weights.h5 file, got {weights!r}")
    if classifier_activation is not None and not isinstance(classifier_activation, str):
        raise TypeError(f"classifier_activation must be a string or None, got {classifier_activation!r}")


def pool_features(x, pooling):
    """``include_top=False`` head: the feature map, or its global average/max."""
    if pooling == "avg":
        return keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
    if pooling == "max":
        return keras.layers.GlobalMaxPooling2D(name="max_pool")(x)
    return x


def load_weights(model, weights, name, imagenet_source=None):
    """Load ``weights`` into ``model``.

    Args:
        model: the freshly built cnnlab model.
        weights: None (random initialisation), a path to a ``.weights.h5`` file
            saved from the same builder, or ``"imagenet"``.
        name: the builder's name, for error messages.
        imagenet_source: a function returning the ``keras.applications`` model
            with ``weights="imagenet"`` when the architecture is identical, else None.
    """
    if weights is None:
        return model
    if str(weights) == "imagenet":
        if imagenet_source is None:
            raise ValueError(
                f"weights='imagenet' is not available for {name} with these arguments: Keras "
                "publishes ImageNet weights only for VGG16, VGG19 and InceptionV3 at full size "
                "with 1000 classes (or include_top=False); use weights=None or a path to a "
                ".weights.h5 file"
            )
        copy_weights(imagenet_source(), model)
        return model
    path = os.fspath(weights)
    if not path.endswith(".weights.h5"):
        raise ValueError(f"weights must be None, 'imagenet' or a path ending in .weights.h5, got {path!r}")
    if not os.path.exists(path):
        raise ValueError(f"weights file {path!r} does not exist")
    model.load_weights(path)
    return model


def _creation_index(layer):
    # Keras names unnamed layers "conv2d", "conv2d_1", ... from one counter per
    # class, so the suffix orders layers by creation even where a functional
    # model's `layers` list is in another (topological) order.
    head, _, tail = layer.name.rpartition("_")
    return int(tail) if head and tail.isdigit() else 0


def _leaf_layers(model, kind):
    found = []
    stack = list(model.layers)
    while stack:
        layer = stack.pop(0)
        if isinstance(layer, kind):
            found.append(layer)
        elif layer._layers:
            stack[0:0] = list(layer._layers)
    return found


def copy_weights(source, target):
    """Copy the weights of ``source`` into ``target`` layer by layer.

    Conv2D, BatchNormalization and Dense layers are paired in creation order
    (the order of each builder's code), which is how both ``keras.applications``
    and the cnnlab builders create them. Raises ``ValueError`` when the two
    architectures differ in the number or shapes of those layers.
    """
    for kind in (keras.layers.Conv2D, keras.layers.BatchNormalization, keras.layers.Dense):
        theirs = sorted(_leaf_layers(source, kind), key=_creation_index)
        ours = sorted(_leaf_layers(target, kind), key=_creation_index)
        if len(theirs) != len(ours):
            raise ValueError(
                f"cannot copy weights: source has {len(theirs)} {kind.__name__} layers, target {len(ours)}"
            )
        for their_layer, our_layer in zip(theirs, ours):
            their_shapes = [tuple(v.shape) for v in their_layer.weights]
            our_shapes = [tuple(v.shape) for v in our_layer.weights]
            if their_shapes != our_shapes:
                raise ValueError(
                    f"cannot copy weights: {their_layer.name} has shapes {their_shapes}, "
                    f"{our_layer.name} has {our_shapes}"
                )
            for their_variable, our_variable in zip(their_layer.weights, our_layer.weights):
                # A copy, not the buffer itself: on JAX the two models would share one
                # array, and donating it in one model's predict deletes the other's.
                our_variable.assign(keras.ops.convert_to_numpy(their_variable))
