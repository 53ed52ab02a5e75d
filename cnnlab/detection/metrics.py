"""Average precision of a detector: COCO's definition, by pycocotools and in NumPy.

A detection is a true positive when it overlaps a ground-truth box, not yet taken
by a higher-scored detection, with IoU >= the threshold (0.5 for mAP@0.5, the
PASCAL VOC criterion). Ranking all detections of all images by score gives a
precision-recall curve; COCO makes precision monotone (the best precision at any
higher recall) and averages it at the 101 recall levels 0, 0.01, ..., 1.

:func:`coco_average_precision` asks pycocotools, the reference implementation;
:func:`average_precision` is the same computation written out in NumPy (the
lesson's derivation, tested equal to pycocotools).
"""

import contextlib
import io
import numbers

import numpy as np

from .._checks import fraction
from .boxes import as_boxes, box_iou, convert

RECALL_LEVELS = np.linspace(0.0, 1.0, 101)


def _check_detections(ground_truth, boxes, scores):
    if not isinstance(ground_truth, (list, tuple)) or not isinstance(boxes, (list, tuple)) \
            or not isinstance(scores, (list, tuple)):
        raise TypeError("ground_truth, boxes and scores must be lists with one entry per image")
    if not len(ground_truth) == len(boxes) == len(scores):
        raise ValueError(f"ground_truth, boxes and scores must have one entry per image, got "
                         f"{len(ground_truth)}, {len(boxes)} and {len(scores)}")
    gts = [as_boxes(g, f"ground_truth[{i}]") for i, g in enumerate(ground_truth)]
    dets = [as_boxes(b, f"boxes[{i}]") for i, b in enumerate(boxes)]
    confs = []
    for i, (b, s) in enumerate(zip(dets, scores)):
        s = np.asarray(s, dtype=np.float64).reshape(-1)
        if s.shape != (len(b),) or not np.all(np.isfinite(s)):
            raise ValueError(f"scores[{i}] must hold one finite score per box of boxes[{i}] ({len(b)}), "
                             f"got shape {s.shape}")
        confs.append(s)
    if sum(len(g) for g in gts) == 0:
        raise ValueError("ground_truth holds no box: average precision is undefined without objects")
    return gts, dets, confs


def _check_max_detections(max_detections):
    if isinstance(max_detections, bool) or not isinstance(max_detections, numbers.Integral) or max_detections < 1:
        raise ValueError(f"max_detections must be an int >= 1, got {max_detections!r}")
    return int(max_detections)


def match(ground_truth, boxes, scores, iou_threshold=0.5):
    """COCO's greedy matching in one image: is each detection a true positive?

    Detections are taken best score first; each takes the untaken ground-truth box
    it overlaps most, if that IoU is >= ``iou_threshold``.

    Returns:
        ``(order, true_positive)``: detection indices best first, and a boolean per
        detection in that order.
    """
    gt, det = as_boxes(ground_truth, "ground_truth"), as_boxes(boxes, "boxes")
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="mergesort")
    ious = box_iou(det[order], gt)
    taken = np.zeros(len(gt), dtype=bool)
    hit = np.zeros(len(order), dtype=bool)
    for rank in range(len(order)):
        candidates = np.where(taken, -1.0, ious[rank])
        if len(gt) and candidates.max() >= iou_threshold:
            taken[candidates.argmax()] = True
            hit[rank] = True
    return order, hit


def precision_recall(ground_truth, boxes, scores, iou_threshold=0.5, max_detections=100):
    """The precision-recall curve of one class over all images, one point per detection.

    Detections of all images are ranked by score; after each, recall is the share of
    true boxes found so far and precision the share of detections so far that are
    true positives. Same arguments as :func:`average_precision`.

    Returns:
        ``(recall, precision)``: float arrays, one entry per kept detection, best first.
    """
    iou_threshold = fraction(iou_threshold, "iou_threshold", low=0.0, high=1.0)
    max_detections = _check_max_detections(max_detections)
    gts, dets, confs = _check_detections(ground_truth, boxes, scores)
    ranked_scores, hits = [np.zeros(0)], [np.zeros(0, bool)]
    for gt, det, conf in zip(gts, dets, confs):
        order, hit = match(gt, det, conf, iou_threshold)
        ranked_scores.append(conf[order][:max_detections])
        hits.append(hit[:max_detections])
    ranked_scores, hits = np.concatenate(ranked_scores), np.concatenate(hits)
    order = np.argsort(-ranked_scores, kind="mergesort")
    true_pos = np.cumsum(hits[order])
    recall = true_pos / sum(len(g) for g in gts)
    precision = true_pos / np.arange(1, len(order) + 1)
    return recall, precision


def average_precision(ground_truth, boxes, scores, iou_threshold=0.5, max_detections=100):
    """COCO-style AP of one class, in NumPy: what pycocotools computes.

    Args:
        ground_truth: list, one ``(n_i, 4)`` "xyxy" array of true boxes per image.
        boxes: list, one ``(m_i, 4)`` array of detected boxes per image.
        scores: list, one ``(m_i,)`` array of detection scores per image.
        iou_threshold: IoU a detection needs to count, in [0, 1] (0.5: mAP@0.5).
        max_detections: best detections kept per image (COCO: 100).

    Returns:
        A float in [0, 1].
    """
    recall, precision = precision_recall(ground_truth, boxes, scores, iou_threshold, max_detections)
    if len(recall) == 0:
        return 0.0
    # The best precision reachable at this recall or beyond.
    precision = np.maximum.accumulate(precision[::-1])[::-1]
    where = np.searchsorted(recall, RECALL_LEVELS, side="left")
    sampled = np.where(where < len(precision), precision[np.minimum(where, len(precision) - 1)], 0.0)
    return float(sampled.mean())


def coco_average_precision(ground_truth, boxes, scores, iou_threshold=0.5, max_detections=100):
    """AP of one class at one IoU threshold, computed by pycocotools' ``COCOeval``.

    Same arguments as :func:`average_precision`; every box counts (no area ranges,
    no crowd regions).
    """
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    iou_threshold = fraction(iou_threshold, "iou_threshold", low=0.0, high=1.0)
    max_detections = _check_max_detections(max_detections)
    gts, dets, confs = _check_detections(ground_truth, boxes, scores)
    images = [{"id": i + 1} for i in range(len(gts))]
    annotations, results = [], []
    for image, (gt, det, conf) in enumerate(zip(gts, dets, confs), start=1):
        for box in convert(gt, "xyxy", "xywh"):
            annotations.append({"id": len(annotations) + 1, "image_id": image, "category_id": 1,
                                "bbox": box.tolist(), "area": float(box[2] * box[3]), "iscrowd": 0})
        for box, score in zip(convert(det, "xyxy", "xywh"), conf):
            results.append({"image_id": image, "category_id": 1, "bbox": box.tolist(), "score": float(score)})
    if not results:
        return 0.0
    with contextlib.redirect_stdout(io.StringIO()):  # pycocotools reports progress on stdout
        truth = COCO()
        truth.dataset = {"images": images, "annotations": annotations, "categories": [{"id": 1, "name": "object"}]}
        truth.createIndex()
        evaluation = COCOeval(truth, truth.loadRes(results), iouType="bbox")
        evaluation.params.iouThrs = np.array([iou_threshold])
        evaluation.params.maxDets = [max_detections]
        evaluation.params.areaRng = [[0.0, 1e10]]
        evaluation.params.areaRngLbl = ["all"]
        evaluation.evaluate()
        evaluation.accumulate()
    precision = evaluation.eval["precision"][0, :, 0, 0, 0]
    return float(precision[precision > -1].mean()) if np.any(precision > -1) else 0.0
