"""Intersection over union (IoU), the score of semantic segmentation.

For class ``k``: ``IoU_k = |pred == k and true == k| / |pred == k or true == k|``,
counted over every pixel of every image. Mean IoU averages it over the classes that
occur in the prediction or the ground truth (a class absent from both has no IoU,
rather than a perfect or a zero one). This is exactly ``keras.metrics.MeanIoU``, which
:func:`mean_iou_metric` configures for a softmax output; :func:`iou_per_class` and
:func:`mean_iou` compute the same numbers in NumPy, per class, after training.
"""

import numbers

import numpy as np


def _check_num_classes(num_classes):
    if isinstance(num_classes, bool) or not isinstance(num_classes, numbers.Integral):
        raise TypeError(f"num_classes must be an int >= 2, got {num_classes!r}")
    if num_classes < 2:
        raise ValueError(f"num_classes must be an int >= 2, got {num_classes}")
    return int(num_classes)


def confusion_matrix(y_true, y_pred, num_classes):
    """Pixel counts: ``matrix[t, p]`` pixels of true class ``t`` predicted as ``p``.

    Args:
        y_true: integer class map, any shape.
        y_pred: integer class map of the same shape (take ``argmax`` of scores first).
        num_classes: number of classes, an int >= 2.

    Returns:
        int64 array ``(num_classes, num_classes)``.
    """
    num_classes = _check_num_classes(num_classes)
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred must have the same shape, got {y_true.shape} and {y_pred.shape}"
            " (pass class indices, e.g. scores.argmax(-1), as y_pred)"
        )
    for name, labels in (("y_true", y_true), ("y_pred", y_pred)):
        if not np.issubdtype(labels.dtype, np.integer):
            raise TypeError(f"{name} must hold integer class indices, got dtype {labels.dtype}")
        if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
            raise ValueError(
                f"{name} must hold classes in [0, {num_classes}), got values in "
                f"[{labels.min()}, {labels.max()}]"
            )
    pairs = y_true.astype(np.int64).ravel() * num_classes + y_pred.astype(np.int64).ravel()
    return np.bincount(pairs, minlength=num_classes**2).reshape(num_classes, num_classes)


def iou_per_class(y_true, y_pred, num_classes):
    """IoU of each class; NaN for a class in neither ``y_true`` nor ``y_pred``.

    Example:
        >>> iou_per_class([0, 0, 1, 1], [0, 1, 1, 1], 3).round(3).tolist()
        [0.5, 0.667, nan]
    """
    matrix = confusion_matrix(y_true, y_pred, num_classes)
    intersection = np.diag(matrix).astype(np.float64)
    union = matrix.sum(axis=0) + matrix.sum(axis=1) - np.diag(matrix)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, intersection / union, np.nan)


def mean_iou(y_true, y_pred, num_classes):
    """Mean of :func:`iou_per_class` over the classes present (``keras.metrics.MeanIoU``).

    Example:
        >>> round(mean_iou([0, 0, 1, 1], [0, 1, 1, 1], 3), 4)
        0.5833
    """
    return float(np.nanmean(iou_per_class(y_true, y_pred, num_classes)))


def mean_iou_metric(num_classes, name="mean_iou"):
    """``keras.metrics.MeanIoU`` for a model that outputs per-pixel class scores.

    ``sparse_y_pred=False`` makes Keras take the ``argmax`` of the last axis of the
    predictions; the targets are integer masks. Nothing is re-implemented: this only
    picks the arguments that fit a segmentation model with a softmax output.
    """
    import keras

    num_classes = _check_num_classes(num_classes)
    return keras.metrics.MeanIoU(num_classes=num_classes, name=name, sparse_y_pred=False)
