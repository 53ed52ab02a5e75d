"""A one-class CenterNet detector on any convolutional backbone, and its predictions."""

import math

import keras

from .._checks import positive_int
from .heatmaps import decode

PRIOR = 0.1  # initial heatmap probability: the paper's bias of -2.19


def centernet(backbone, *, feature_layer=None, head_channels=64, name="centernet"):
    """Heatmap, size and offset heads on a backbone's feature map (Zhou et al. 2019).

    Each head is a 3x3 convolution with ReLU and a 1x1 convolution. The heatmap
    bias starts at ``log(0.1 / 0.9)``, so that the focal loss begins near the
    background's low probability instead of 0.5 everywhere.

    Args:
        backbone: a functional ``keras.Model`` whose input is the image.
        feature_layer: name of the layer whose 4-D output the heads read; the
            backbone's output when None. Its stride sets the heatmap's.
        head_channels: width of the heads' 3x3 convolutions.
        name: model name.

    Returns:
        A ``keras.Model`` from images to ``(batch, H/stride, W/stride, 5)``: heatmap
        logit, width and height in cells, x and y offset of the centre in its cell.

    Example:
        >>> from cnnlab.models import densenet_mini
        >>> net = centernet(densenet_mini((64, 64, 3), include_top=False), feature_layer="dense_block2")
        >>> net.output_shape
        (None, 16, 16, 5)
    """
    head_channels = positive_int(head_channels, "head_channels")
    if not hasattr(backbone, "inputs") or not backbone.inputs:
        raise TypeError(f"backbone must be a functional keras.Model, got {type(backbone).__name__}")
    if feature_layer is None:
        features = backbone.output
    else:
        names = [layer.name for layer in backbone.layers]
        if feature_layer not in names:
            raise ValueError(f"feature_layer must name a layer of {backbone.name!r} (one of {names}), "
                             f"got {feature_layer!r}")
        features = backbone.get_layer(feature_layer).output
    if len(features.shape) != 4:
        raise ValueError(f"the heads need a 4-D feature map, got a {len(features.shape)}-D output "
                         f"{tuple(features.shape)}; pass feature_layer")
    layers = keras.layers
    heads = []
    for head, channels in (("heatmap", 1), ("size", 2), ("offset", 2)):
        x = layers.Conv2D(head_channels, 3, padding="same", activation="relu", name=f"{head}_conv")(features)
        bias = keras.initializers.Constant(math.log(PRIOR / (1 - PRIOR))) if head == "heatmap" else "zeros"
        heads.append(layers.Conv2D(channels, 1, bias_initializer=bias, name=f"{head}_out")(x))
    outputs = layers.Concatenate(name="detections")(heads)
    inputs = backbone.inputs[0] if len(backbone.inputs) == 1 else backbone.inputs
    return keras.Model(inputs, outputs, name=name)


def output_stride(model):
    """Input side / output side of a detector (4 for CenterNet on ``dense_block2`` of densenet_mini)."""
    size = model.input_shape[1]
    out = model.output_shape[1]
    if size is None or out is None or size % out:
        raise ValueError(f"cannot tell the stride of {model.name!r}: input {model.input_shape}, "
                         f"output {model.output_shape}")
    return size // out


def detect(model, images, *, batch_size=64, max_detections=100, score_threshold=0.05):
    """Run a CenterNet detector and decode its peaks: ``(boxes, scores)`` lists, one entry per image."""
    import numpy as np

    from ..training import predict

    images = np.asarray(images, dtype=np.float32)
    outputs = predict(model, images, batch_size=positive_int(batch_size, "batch_size"))
    return decode(outputs, stride=output_stride(model), max_detections=max_detections,
                  score_threshold=score_threshold)
