"""Box utilities: IoU against a brute-force pixel count, format conversions, NMS
against its definition, and bad boxes named."""

import numpy as np
import pytest

from cnnlab.detection import box_area, box_iou, convert, non_max_suppression


def _raster(box, size=40):
    mask = np.zeros((size, size), bool)
    x0, y0, x1, y1 = box
    mask[y0:y1, x0:x1] = True
    return mask


@pytest.mark.parametrize("seed", range(5))
def test_iou_equals_a_pixel_count(seed):
    rng = np.random.default_rng(seed)
    corners = rng.integers(0, 30, (12, 2))
    boxes = np.concatenate([corners, corners + rng.integers(0, 11, (12, 2))], axis=1)
    got = box_iou(boxes[:6], boxes[6:])
    for i, a in enumerate(boxes[:6]):
        for j, b in enumerate(boxes[6:]):
            ma, mb = _raster(a), _raster(b)
            union = (ma | mb).sum()
            assert got[i, j] == pytest.approx((ma & mb).sum() / union if union else 0.0, abs=1e-12)
    np.testing.assert_allclose(box_area(boxes), [_raster(b).sum() for b in boxes])


def test_iou_of_identical_disjoint_and_empty_boxes():
    assert box_iou([[0, 0, 4, 4]], [[0, 0, 4, 4], [4, 0, 8, 4], [1, 1, 1, 1]]).tolist() == [[1.0, 0.0, 0.0]]
    assert box_iou(np.zeros((0, 4)), [[0, 0, 1, 1]]).shape == (0, 1)


def test_formats_round_trip():
    boxes = np.array([[10.0, 20.0, 30.0, 60.0], [0.5, 1.5, 2.0, 2.0]])
    for fmt in ("xywh", "cxcywh"):
        np.testing.assert_allclose(convert(convert(boxes, "xyxy", fmt), fmt, "xyxy"), boxes)
    assert convert([[10, 20, 30, 60]], "xyxy", "xywh").tolist() == [[10.0, 20.0, 20.0, 40.0]]
    assert convert([[20, 40, 20, 40]], "cxcywh", "xywh").tolist() == [[10.0, 20.0, 20.0, 40.0]]


def _nms_reference(boxes, scores, threshold):
    remaining = sorted(range(len(boxes)), key=lambda i: -scores[i])
    kept = []
    for i in remaining:
        if all(box_iou(boxes[i:i + 1], boxes[j:j + 1])[0, 0] <= threshold for j in kept):
            kept.append(i)
    return kept


@pytest.mark.parametrize("threshold", [0.1, 0.5, 0.9])
def test_nms_equals_its_definition(threshold):
    rng = np.random.default_rng(4)
    corners = rng.uniform(0, 20, (30, 2))
    boxes = np.concatenate([corners, corners + rng.uniform(2, 10, (30, 2))], axis=1)
    scores = rng.random(30)
    assert non_max_suppression(boxes, scores, threshold).tolist() == _nms_reference(boxes, scores, threshold)


def test_bad_boxes_are_named():
    with pytest.raises(ValueError, match=r"a\[0\] = \[5.0, 0.0, 1.0, 1.0\] is not a 'xyxy' box"):
        box_iou([[5, 0, 1, 1]], [[0, 0, 1, 1]])
    with pytest.raises(ValueError, match="must be an array"):
        box_iou([[0, 0, 1]], [[0, 0, 1, 1]])
    with pytest.raises(ValueError, match="must be finite"):
        box_area([[0, 0, np.nan, 1]])
    with pytest.raises(ValueError, match="width or height is negative"):
        convert([[0, 0, -1, 2]], "xywh", "xyxy")
    with pytest.raises(ValueError, match="source must be one of"):
        convert([[0, 0, 1, 1]], "yxyx", "xyxy")
    with pytest.raises(ValueError, match="one value per box"):
        non_max_suppression([[0, 0, 1, 1]], [0.5, 0.2])
