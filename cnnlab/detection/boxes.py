"""Axis-aligned boxes in pixel coordinates: formats, areas, IoU, non-maximum suppression.

A box ``(x0, y0, x1, y1)`` ("xyxy") covers the plane from its top-left to its
bottom-right corner; pixel ``(row i, column j)`` is the unit square
``[j, j + 1] x [i, i + 1]``, so the tight box of a mask's pixels is
``(min column, min row, max column + 1, max row + 1)`` and a box's area is its pixel
count. COCO stores ``(x, y, width, height)`` ("xywh"); CenterNet predicts
``(centre x, centre y, width, height)`` ("cxcywh").
"""

import numpy as np

from .._checks import choice, fraction

FORMATS = ("xyxy", "xywh", "cxcywh")


def as_boxes(boxes, name="boxes", box_format="xyxy"):
    """``boxes`` as a finite float64 ``(n, 4)`` array (an empty list gives ``(0, 4)``).

    Widths and heights must be >= 0 (``x1 >= x0`` and ``y1 >= y0`` for "xyxy").
    """
    array = np.asarray(boxes, dtype=np.float64)
    if array.size == 0:
        return array.reshape(0, 4)
    if array.ndim != 2 or array.shape[1] != 4:
        raise ValueError(f"{name} must be an array (n, 4), got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite, got NaN or infinity")
    sides = array[:, 2:] - array[:, :2] if box_format == "xyxy" else array[:, 2:]
    if np.any(sides < 0):
        row = int(np.flatnonzero((sides < 0).any(axis=1))[0])
        raise ValueError(f"{name}[{row}] = {array[row].tolist()} is not a {box_format!r} box: "
                         "its width or height is negative")
    return array


def convert(boxes, source, target):
    """Convert ``(n, 4)`` boxes between "xyxy", "xywh" and "cxcywh".

    Example:
        >>> convert([[10, 20, 30, 60]], "xyxy", "cxcywh").tolist()
        [[20.0, 40.0, 20.0, 40.0]]
    """
    choice(source, "source", FORMATS)
    choice(target, "target", FORMATS)
    b = as_boxes(boxes, box_format=source)
    if source == "xywh":
        b = np.stack([b[:, 0], b[:, 1], b[:, 0] + b[:, 2], b[:, 1] + b[:, 3]], axis=1)
    elif source == "cxcywh":
        b = np.stack([b[:, 0] - b[:, 2] / 2, b[:, 1] - b[:, 3] / 2,
                      b[:, 0] + b[:, 2] / 2, b[:, 1] + b[:, 3] / 2], axis=1)
    if target == "xywh":
        return np.stack([b[:, 0], b[:, 1], b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]], axis=1)
    if target == "cxcywh":
        return np.stack([(b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2,
                         b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]], axis=1)
    return b


def box_area(boxes):
    """Areas of "xyxy" boxes (0 for an empty or inverted box)."""
    b = as_boxes(boxes)
    return np.clip(b[:, 2] - b[:, 0], 0, None) * np.clip(b[:, 3] - b[:, 1], 0, None)


def box_iou(a, b):
    """Intersection over union of every pair of "xyxy" boxes: ``(len(a), len(b))``.

    ``IoU = area(A and B) / area(A or B)``; two empty boxes have IoU 0.

    Example:
        >>> box_iou([[0, 0, 2, 2]], [[1, 1, 3, 3], [0, 0, 2, 2]]).round(4).tolist()
        [[0.1429, 1.0]]
    """
    a, b = as_boxes(a, "a"), as_boxes(b, "b")
    top_left = np.maximum(a[:, None, :2], b[None, :, :2])
    bottom_right = np.minimum(a[:, None, 2:], b[None, :, 2:])
    sides = np.clip(bottom_right - top_left, 0, None)
    inter = sides[..., 0] * sides[..., 1]
    union = box_area(a)[:, None] + box_area(b)[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def non_max_suppression(boxes, scores, iou_threshold=0.5):
    """Greedy NMS: keep the best box, drop those overlapping it by more than the threshold, repeat.

    Returns:
        int64 indices of the kept boxes, best score first.
    """
    iou_threshold = fraction(iou_threshold, "iou_threshold", low=0.0, high=1.0)
    boxes = as_boxes(boxes)
    scores = np.asarray(scores, dtype=np.float64)
    if scores.shape != (len(boxes),):
        raise ValueError(f"scores must hold one value per box, got shape {scores.shape} for {len(boxes)} boxes")
    order = np.argsort(-scores, kind="stable")
    keep = []
    while len(order):
        best, order = order[0], order[1:]
        keep.append(best)
        order = order[box_iou(boxes[best:best + 1], boxes[order])[0] <= iou_threshold]
    return np.asarray(keep, dtype=np.int64)
