"""CenterNet targets and decoding: a perfect prediction decodes to the true boxes
(AP 1), peaks sit at the centre cells, and the loss equals its formula in NumPy."""

import keras
import numpy as np
import pytest

from cnnlab import data
from cnnlab.detection import (CenterNetLoss, box_iou, centernet_loss, coco_average_precision, decode, encode,
                              gaussian_radius)


def _perfect_outputs(targets):
    outputs = targets[..., :5].copy()
    heat = np.clip(targets[..., 0], 1e-6, 1 - 1e-6)
    outputs[..., 0] = np.log(heat / (1 - heat))
    return outputs


def test_a_perfect_prediction_decodes_to_the_true_boxes():
    scenes = data.scenes(count=20, seed=3)
    truth = list(scenes.boxes)
    targets = encode(truth, 64, stride=4)
    boxes, scores = decode(_perfect_outputs(targets), stride=4, score_threshold=0.5)
    for want, got in zip(truth, boxes):
        assert len(got) == len(want)
        np.testing.assert_allclose(np.sort(box_iou(got, want).max(axis=0)), 1.0, atol=1e-6)
    assert coco_average_precision(truth, boxes, scores) == pytest.approx(1.0)


def test_targets_hold_a_peak_size_and_offset_at_each_centre():
    targets = encode([np.array([[10.0, 20.0, 42.0, 44.0]]), np.zeros((0, 4))], 64, stride=4)
    assert targets.shape == (2, 16, 16, 6)
    row, col = 32 // 4, 26 // 4  # centre (26, 32) in pixels, (6.5, 8) in cells
    assert targets[0, row, col].tolist() == [1.0, 8.0, 6.0, 0.5, 0.0, 1.0]
    assert targets[0, ..., 0].max() == 1.0 and targets[0, ..., 5].sum() == 1.0
    assert 0 < targets[0, row, col + 1, 0] < 1  # the Gaussian's shoulder
    assert not targets[1].any()


def test_gaussian_radius_is_centernets():
    # By hand for a 10x10 box at 0.7: the third root, (-28 + sqrt(28^2 + 4 * 2.8 * 30)) / 2.
    assert gaussian_radius(10, 10, 0.7) == pytest.approx((-28 + np.sqrt(784 + 336)) / 2)
    radii = [gaussian_radius(s, s, 0.7) for s in (4, 8, 16, 32)]
    np.testing.assert_allclose(np.array(radii) / [4, 8, 16, 32], radii[0] / 4)  # scales with the box
    assert gaussian_radius(10, 10, 0.9) < gaussian_radius(10, 10, 0.5)


def test_decode_keeps_local_maxima_above_the_threshold_best_first():
    outputs = np.full((1, 8, 8, 5), -10.0, np.float32)
    outputs[..., 1:3], outputs[..., 3:5] = 2.0, 0.0
    outputs[0, 2, 2, 0], outputs[0, 2, 3, 0], outputs[0, 6, 6, 0] = 3.0, 1.0, 2.0
    boxes, scores = decode(outputs, stride=4, score_threshold=0.5)
    np.testing.assert_allclose(scores[0], 1 / (1 + np.exp([-3.0, -2.0])))
    np.testing.assert_allclose(boxes[0], [[4, 4, 12, 12], [20, 20, 28, 28]])
    assert len(decode(outputs, stride=4, max_detections=1)[0][0]) == 1
    with pytest.raises(ValueError, match=r"\(n, h, w, 5\)"):
        decode(outputs[..., :4])


def test_encode_rejects_bad_arguments():
    with pytest.raises(ValueError, match="multiple of stride=4"):
        encode([np.zeros((0, 4))], 62, stride=4)
    with pytest.raises(ValueError, match="not a 'xyxy' box"):
        encode([np.array([[5, 5, 1, 1]])], 64)


def _numpy_loss(targets, outputs, alpha=2.0, beta=4.0, size_weight=0.1, offset_weight=1.0):
    p = 1 / (1 + np.exp(-outputs[..., 0].astype(np.float64)))
    y, centre = targets[..., 0], targets[..., 5]
    focal = np.where(centre > 0, -(1 - p) ** alpha * np.log(p), -(1 - y) ** beta * p ** alpha * np.log(1 - p))
    size = centre * (np.abs(outputs[..., 1] - targets[..., 1]) + np.abs(outputs[..., 2] - targets[..., 2]))
    offset = centre * (np.abs(outputs[..., 3] - targets[..., 3]) + np.abs(outputs[..., 4] - targets[..., 4]))
    total = focal.sum() + size_weight * size.sum() + offset_weight * offset.sum()
    return total / max(centre.sum(), 1.0)


def test_loss_equals_the_formula():
    scenes = data.scenes(count=4, seed=5)
    targets = encode(scenes.target_boxes(), 64)
    outputs = np.random.default_rng(0).normal(size=targets.shape[:-1] + (5,)).astype(np.float32)
    per_image = keras.ops.convert_to_numpy(centernet_loss(targets, outputs))
    assert per_image.mean() == pytest.approx(_numpy_loss(targets, outputs), rel=1e-5)
    assert float(CenterNetLoss()(targets, outputs)) == pytest.approx(_numpy_loss(targets, outputs), rel=1e-5)
    assert float(CenterNetLoss(size_weight=0.0)(targets, outputs)) == pytest.approx(
        _numpy_loss(targets, outputs, size_weight=0.0), rel=1e-5)
    again = keras.losses.deserialize(keras.losses.serialize(CenterNetLoss(beta=3.0)))
    assert again.beta == 3.0
    with pytest.raises(ValueError, match="alpha must be in"):
        CenterNetLoss(alpha=-1.0)
