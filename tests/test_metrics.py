"""IoU against a computation from the definition (sets of pixels per image and
class), and against keras.metrics.MeanIoU."""

import keras
import numpy as np
import pytest

from cnnlab.metrics import confusion_matrix, iou_per_class, mean_iou, mean_iou_metric


def iou_from_sets(y_true, y_pred, num_classes):
    """IoU_k = |P_k intersect T_k| / |P_k union T_k|, with P_k, T_k sets of pixel coordinates."""
    ious = []
    for k in range(num_classes):
        truth = set(zip(*np.nonzero(y_true == k)))
        predicted = set(zip(*np.nonzero(y_pred == k)))
        union = truth | predicted
        ious.append(len(truth & predicted) / len(union) if union else np.nan)
    return np.array(ious)


def test_iou_matches_definition_and_keras():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 4, (3, 9, 7))
    y_pred = np.where(rng.random((3, 9, 7)) < 0.6, y_true, rng.integers(0, 4, (3, 9, 7)))
    want = iou_from_sets(y_true, y_pred, 4)
    np.testing.assert_allclose(iou_per_class(y_true, y_pred, 4), want)
    keras_metric = keras.metrics.MeanIoU(num_classes=4)
    keras_metric.update_state(y_true, y_pred)
    assert mean_iou(y_true, y_pred, 4) == pytest.approx(float(keras_metric.result()), rel=1e-6)
    assert mean_iou(y_true, y_pred, 4) == pytest.approx(want.mean())


def test_absent_class_is_left_out_of_the_mean_as_in_keras():
    y_true = np.array([[0, 0, 1, 1]])
    y_pred = np.array([[0, 1, 1, 1]])
    ious = iou_per_class(y_true, y_pred, 3)
    assert np.isnan(ious[2])
    assert ious[:2] == pytest.approx([1 / 2, 2 / 3])
    keras_metric = keras.metrics.MeanIoU(num_classes=3)
    keras_metric.update_state(y_true, y_pred)
    assert mean_iou(y_true, y_pred, 3) == pytest.approx(float(keras_metric.result()))


def test_metric_takes_argmax_of_scores():
    rng = np.random.default_rng(1)
    y_true = rng.integers(0, 3, (2, 5, 5))
    scores = rng.random((2, 5, 5, 3)).astype("float32")
    metric = mean_iou_metric(3)
    metric.update_state(y_true, scores)
    assert float(metric.result()) == pytest.approx(mean_iou(y_true, scores.argmax(-1), 3), rel=1e-6)


def test_all_background_baseline():
    y_true = np.zeros((1, 4, 4), int)
    y_true[0, :2, :2] = 1  # a quarter of the pixels
    ious = iou_per_class(y_true, np.zeros_like(y_true), 2)
    assert ious.tolist() == [0.75, 0.0]


def test_confusion_matrix_counts():
    matrix = confusion_matrix([0, 1, 1, 2], [0, 2, 1, 2], 3)
    assert matrix.tolist() == [[1, 0, 0], [0, 1, 1], [0, 0, 1]]


def test_bad_input():
    with pytest.raises(ValueError, match="same shape"):
        iou_per_class([0, 1], [0, 1, 1], 2)
    with pytest.raises(ValueError, match=r"\[0, 2\)"):
        iou_per_class([0, 2], [0, 1], 2)
    with pytest.raises(TypeError, match="integer"):
        iou_per_class([0.0, 1.0], [0, 1], 2)
    with pytest.raises(ValueError, match="num_classes"):
        mean_iou([0], [0], 1)
    with pytest.raises(TypeError, match="num_classes"):
        mean_iou_metric(2.0)
