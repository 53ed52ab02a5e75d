"""Average precision: pycocotools on hand-computed cases, and cnnlab's NumPy
version against pycocotools on random ones."""

import numpy as np
import pytest

from cnnlab.detection import average_precision, coco_average_precision, match

BOTH = [average_precision, coco_average_precision]


@pytest.mark.parametrize("ap", BOTH, ids=["numpy", "pycocotools"])
def test_hand_computed_cases(ap):
    gt = [np.array([[0, 0, 10, 10]])]
    assert ap(gt, [np.array([[0, 0, 10, 10]])], [[0.9]]) == pytest.approx(1.0)
    # A false positive ranked below the true one costs nothing ...
    assert ap(gt, [np.array([[0, 0, 10, 10], [20, 20, 30, 30]])], [[0.9, 0.1]]) == pytest.approx(1.0)
    # ... ranked above it, precision at full recall is 1/2 at every recall level.
    assert ap(gt, [np.array([[0, 0, 10, 10], [20, 20, 30, 30]])], [[0.1, 0.9]]) == pytest.approx(0.5)
    two = [np.array([[0, 0, 10, 10], [20, 20, 30, 30]])]
    # A second box on a found object is a false positive: precision 2/3 beyond recall 1/2.
    assert ap(two, [np.array([[0, 0, 10, 10], [0, 0, 10, 9], [20, 20, 30, 30]])], [[0.9, 0.8, 0.7]]) \
        == pytest.approx((51 + 50 * 2 / 3) / 101)
    # Half the objects found, with precision 1: recall levels 0 ... 0.5 of 101 count.
    assert ap(two, [np.array([[0, 0, 10, 10]])], [[0.9]]) == pytest.approx(51 / 101)
    assert ap(two, [np.zeros((0, 4))], [[]]) == 0.0
    # Objects in two images; the second image's detection is wrong.
    split = [np.array([[0, 0, 10, 10]]), np.array([[0, 0, 10, 10]])]
    assert ap(split, [np.array([[0, 0, 10, 10]]), np.array([[30, 30, 40, 40]])], [[0.8], [0.9]]) \
        == pytest.approx(51 / 101 * 0.5)


@pytest.mark.parametrize("ap", BOTH, ids=["numpy", "pycocotools"])
def test_the_iou_threshold_is_inclusive(ap):
    gt = [np.array([[0, 0, 10, 10]])]
    half = [np.array([[0, 0, 10, 20]])]  # IoU exactly 0.5
    assert ap(gt, half, [[0.9]], iou_threshold=0.5) == pytest.approx(1.0)
    assert ap(gt, half, [[0.9]], iou_threshold=0.75) == 0.0


@pytest.mark.parametrize("seed", range(40))
def test_numpy_ap_equals_pycocotools(seed):
    rng = np.random.default_rng(seed)
    truth, boxes, scores = [], [], []
    for _ in range(rng.integers(1, 6)):
        g = rng.integers(0, 40, (rng.integers(0, 5), 2))
        g = np.concatenate([g, g + rng.integers(3, 20, g.shape)], axis=1)
        d = rng.integers(0, 40, (rng.integers(0, 6), 2))
        d = np.concatenate([d, d + rng.integers(3, 20, d.shape)], axis=1)
        if len(g) and rng.random() < 0.7:
            near = g + rng.integers(-3, 4, g.shape)
            near[:, 2:] = np.maximum(near[:, 2:], near[:, :2])
            d = np.concatenate([d, near])
        truth.append(g)
        boxes.append(d)
        scores.append(rng.random(len(d)))
    if sum(len(g) for g in truth) == 0:
        truth[0] = np.array([[0, 0, 5, 5]])
    threshold = float(rng.choice([0.3, 0.5, 0.75]))
    assert average_precision(truth, boxes, scores, threshold) == pytest.approx(
        coco_average_precision(truth, boxes, scores, threshold), abs=1e-12)


def test_max_detections_keeps_the_best_per_image():
    gt = [np.array([[0, 0, 10, 10]])]
    boxes = [np.array([[20, 20, 30, 30], [0, 0, 10, 10]])]
    for ap in BOTH:
        assert ap(gt, boxes, [[0.9, 0.5]], max_detections=1) == 0.0
        assert ap(gt, boxes, [[0.9, 0.5]], max_detections=2) == pytest.approx(0.5)


def test_matching_takes_the_best_overlap_first():
    order, hit = match([[0, 0, 10, 10], [5, 0, 15, 10]], [[5, 0, 15, 10], [0, 0, 10, 10], [1, 1, 9, 9]],
                       [0.9, 0.8, 0.7])
    assert order.tolist() == [0, 1, 2] and hit.tolist() == [True, True, False]


@pytest.mark.parametrize("ap", BOTH, ids=["numpy", "pycocotools"])
def test_bad_input_is_named(ap):
    with pytest.raises(ValueError, match="holds no box"):
        ap([np.zeros((0, 4))], [np.zeros((0, 4))], [[]])
    with pytest.raises(ValueError, match="one entry per image"):
        ap([np.ones((1, 4))], [], [])
    with pytest.raises(ValueError, match=r"scores\[0\] must hold one finite score per box"):
        ap([np.array([[0, 0, 1, 1]])], [np.array([[0, 0, 1, 1]])], [[0.5, 0.4]])
    with pytest.raises(TypeError, match="lists with one entry per image"):
        ap(np.ones((1, 1, 4)), [np.ones((1, 4))], [[1.0]])
    with pytest.raises(ValueError, match="iou_threshold must be in"):
        ap([np.array([[0, 0, 1, 1]])], [np.array([[0, 0, 1, 1]])], [[0.5]], iou_threshold=1.5)
    with pytest.raises(ValueError, match="max_detections must be an int"):
        ap([np.array([[0, 0, 1, 1]])], [np.array([[0, 0, 1, 1]])], [[0.5]], max_detections=0)
