"""CenterNet's training loss: a penalty-reduced focal loss on the heatmap, L1 on sizes and offsets.

Heatmap (Law and Deng 2018; Zhou et al. 2019), with ``p`` the predicted probability
and ``y`` the Gaussian target::

    y = 1:  -(1 - p)^alpha log(p)
    y < 1:  -(1 - y)^beta p^alpha log(1 - p)

summed over all cells and divided by the number of objects, so that the few
centre cells are not drowned by the many background ones, and background cells
near a centre (``y`` close to 1) are penalised little. Sizes and offsets are
regressed with L1 at the centre cells only.
"""

import keras
from keras import ops

from .._checks import fraction
from .heatmaps import CENTRE, HEATMAP, HEIGHT, OFFSET_X, OFFSET_Y, WIDTH


def centernet_loss(targets, outputs, alpha=2.0, beta=4.0, size_weight=0.1, offset_weight=1.0):
    """The per-image CenterNet loss ``(batch,)`` (the batch mean is the paper's loss)."""
    targets = ops.convert_to_tensor(targets, dtype="float32")
    outputs = ops.convert_to_tensor(outputs, dtype="float32")
    logits, heat = outputs[..., HEATMAP], targets[..., HEATMAP]
    centre = targets[..., CENTRE]
    # log(p) and log(1 - p) from the logit, stable for large |logit|.
    log_p = -ops.softplus(-logits)
    log_not_p = -ops.softplus(logits)
    p = ops.sigmoid(logits)
    positive = ops.power(1.0 - p, alpha) * log_p
    negative = ops.power(1.0 - heat, beta) * ops.power(p, alpha) * log_not_p
    focal = -ops.sum(ops.where(centre > 0, positive, negative), axis=(1, 2))
    size = ops.sum(centre * (ops.abs(outputs[..., WIDTH] - targets[..., WIDTH])
                             + ops.abs(outputs[..., HEIGHT] - targets[..., HEIGHT])), axis=(1, 2))
    offset = ops.sum(centre * (ops.abs(outputs[..., OFFSET_X] - targets[..., OFFSET_X])
                               + ops.abs(outputs[..., OFFSET_Y] - targets[..., OFFSET_Y])), axis=(1, 2))
    batch = ops.cast(ops.shape(centre)[0], "float32")
    # Divide by the objects in the whole batch; the batch mean Keras takes then
    # gives sum / objects, as in the paper.
    scale = batch / ops.maximum(ops.sum(centre), 1.0)
    return scale * (focal + size_weight * size + offset_weight * offset)


@keras.saving.register_keras_serializable(package="cnnlab")
class CenterNetLoss(keras.losses.Loss):
    """:func:`centernet_loss` as a Keras loss: ``y_true`` from ``heatmaps.encode``, ``y_pred`` the detector's output.

    Args:
        alpha, beta: focal-loss exponents (2 and 4 in the paper).
        size_weight: weight of the L1 size loss (0.1).
        offset_weight: weight of the L1 offset loss (1).
    """

    def __init__(self, alpha=2.0, beta=4.0, size_weight=0.1, offset_weight=1.0, name="centernet_loss", **kwargs):
        super().__init__(name=name, **kwargs)
        self.alpha = fraction(alpha, "alpha", low=0.0, high=10.0)
        self.beta = fraction(beta, "beta", low=0.0, high=10.0)
        self.size_weight = fraction(size_weight, "size_weight", low=0.0, high=100.0)
        self.offset_weight = fraction(offset_weight, "offset_weight", low=0.0, high=100.0)

    def call(self, y_true, y_pred):
        return centernet_loss(y_true, y_pred, self.alpha, self.beta, self.size_weight, self.offset_weight)

    def get_config(self):
        config = super().get_config()
        config.update(alpha=self.alpha, beta=self.beta, size_weight=self.size_weight,
                      offset_weight=self.offset_weight)
        return config
