"""Class activation maps (Zhou et al. 2016): where a global-average-pooled network looks.

A network that ends in global average pooling and one Dense layer computes the score
of class ``c`` as

    logit_c = sum_k w_kc * mean_xy f_k(x, y) + b_c = mean_xy M_c(x, y) + b_c,
    M_c(x, y) = sum_k w_kc f_k(x, y),

where ``f_k`` are the last convolutional feature maps and ``w_kc`` the Dense weights.
``M_c`` is the class activation map: the class score, pixel by pixel, before the
average. It costs one forward pass to the features and a matrix product, and it is
exact: the mean of the map plus the bias *is* the logit, which is why global average
pooling makes a classifier's decision something one can look at.
"""

from typing import NamedTuple

import numpy as np

from ._checks import positive_int


class ClassActivationMaps(NamedTuple):
    """``maps``: float32 ``(N, H, W)``, the map of ``classes[i]`` for image ``i``.
    ``classes``: int64 ``(N,)``. ``logits``: float32 ``(N, num_classes)``, the Dense
    layer's output before its activation (``mean(M_c) + b_c`` for every class).
    ``features_shape``: ``(h, w)`` of the feature maps the maps were computed on."""

    maps: np.ndarray
    classes: np.ndarray
    logits: np.ndarray
    features_shape: tuple


def cam_layers(model):
    """The feature tensor, the pooling layer and the Dense layer that CAMs are built from.

    Walks back from the model's output through an optional activation (``Softmax``,
    ``Activation``), the ``Dense`` classifier, any ``Dropout`` (the identity at
    inference), to a ``GlobalAveragePooling2D``; its input is the feature map.

    Raises:
        TypeError: ``model`` is not a functional model with one output.
        ValueError: the model does not end in global average pooling and a Dense layer.
    """
    import keras

    if not isinstance(model, keras.Model) or not getattr(model, "outputs", None):
        raise TypeError(f"model must be a functional keras.Model, got {type(model).__name__}")
    if len(model.outputs) != 1:
        raise ValueError(f"model must have one output, got {len(model.outputs)}")
    tensor = model.outputs[0]
    path = []

    def producer(t):
        layer = t._keras_history.operation
        path.append(type(layer).__name__)
        return layer, layer._inbound_nodes[t._keras_history.node_index].input_tensors

    layer, inputs = producer(tensor)
    if isinstance(layer, (keras.layers.Softmax, keras.layers.Activation)):
        layer, inputs = producer(inputs[0])
    dense = layer
    if isinstance(dense, keras.layers.Dense):
        layer, inputs = producer(inputs[0])
        while isinstance(layer, (keras.layers.Dropout, keras.layers.Identity)):
            layer, inputs = producer(inputs[0])
    pool = layer
    valid = (isinstance(dense, keras.layers.Dense) and isinstance(pool, keras.layers.GlobalAveragePooling2D)
             and pool.data_format == "channels_last" and not pool.keepdims)
    if not valid:
        raise ValueError(
            "class activation maps need a model that ends in GlobalAveragePooling2D -> "
            "[Dropout] -> Dense -> [softmax] (channels last); "
            f"{model.name!r} ends in {' <- '.join(path)}"
        )
    return inputs[0], pool, dense


def class_activation_maps(model, images, classes=None, *, size="input", batch_size=64):
    """Class activation maps of ``images`` for a global-average-pooled classifier.

    Args:
        model: a functional ``keras.Model`` ending in ``GlobalAveragePooling2D``, an
            optional ``Dropout``, a ``Dense`` layer and an optional softmax (see
            :func:`cam_layers`); e.g. ``cnnlab.transfer.backbone("cnnlab-mini",
            include_top=True)`` or a checkpoint of ``cnnlab.pretrained``.
        images: ``(N, H, W, C)`` array the model accepts.
        classes: the class to map for each image: None for the predicted class (the
            arg-max logit), an int for the same class everywhere, or ``N`` ints.
        size: ``"input"`` to upsample the maps bilinearly to the images' ``(H, W)``,
            None to keep the feature maps' resolution, or an ``(H, W)`` pair.
        batch_size: images per forward pass.

    Returns:
        :class:`ClassActivationMaps` ``(maps, classes, logits, features_shape)``. The
        maps are not normalised: at feature resolution ``maps[i].mean() +
        bias[classes[i]] == logits[i, classes[i]]``.

    Example:
        >>> model = cnnlab.transfer.backbone("cnnlab-mini", include_top=True)
        >>> cams = class_activation_maps(model, images[:8])
        >>> cnnlab.plotting.plot_class_activation_maps(images[:8], cams.maps)
    """
    import keras

    features_tensor, _, dense = cam_layers(model)
    images = np.asarray(images, dtype="float32")
    if images.ndim != 4:
        raise ValueError(f"images must be an (N, H, W, C) array, got shape {images.shape}")
    batch_size = positive_int(batch_size, "batch_size")
    if len(model.inputs) != 1:
        raise ValueError(f"model must take one input (the images), got {len(model.inputs)}")
    features_model = keras.Model(model.inputs[0], features_tensor)
    features = np.concatenate([
        keras.ops.convert_to_numpy(features_model(images[i:i + batch_size], training=False))
        for i in range(0, len(images), batch_size)
    ]).astype("float64")
    kernel = keras.ops.convert_to_numpy(dense.kernel).astype("float64")
    bias = (keras.ops.convert_to_numpy(dense.bias).astype("float64") if dense.use_bias
            else np.zeros(kernel.shape[1]))
    logits = features.mean(axis=(1, 2)) @ kernel + bias
    classes = _classes(classes, logits)
    maps = np.einsum("nhwk,kn->nhw", features, kernel[:, classes])
    target = _target_size(size, images.shape[1:3])
    if target is not None and tuple(target) != maps.shape[1:]:
        resized = keras.ops.image.resize(maps[..., None].astype("float32"), target,
                                         interpolation="bilinear", antialias=False)
        maps = keras.ops.convert_to_numpy(resized)[..., 0]
    return ClassActivationMaps(maps.astype("float32"), classes, logits.astype("float32"),
                               tuple(features.shape[1:3]))


def _classes(classes, logits):
    count, num_classes = logits.shape
    if classes is None:
        return logits.argmax(axis=1).astype("int64")
    values = np.asarray(classes)
    if values.dtype == bool or not np.issubdtype(values.dtype, np.integer):
        raise TypeError(f"classes must be None, an int or {count} ints, got {classes!r}")
    values = np.broadcast_to(values, (count,)) if values.ndim == 0 else values
    if values.shape != (count,):
        raise ValueError(f"classes must be None, an int or {count} ints (one per image), got shape {values.shape}")
    if values.min() < 0 or values.max() >= num_classes:
        raise ValueError(f"classes must be class indices in 0..{num_classes - 1}, got {values.min()}..{values.max()}")
    return values.astype("int64")


def _target_size(size, image_size):
    if size is None:
        return None
    if isinstance(size, str):
        if size != "input":
            raise ValueError(f"size must be 'input', None or an (H, W) pair, got {size!r}")
        return tuple(int(s) for s in image_size)
    if not isinstance(size, (tuple, list)) or len(size) != 2:
        raise ValueError(f"size must be 'input', None or an (H, W) pair, got {size!r}")
    return tuple(positive_int(s, "size") for s in size)
