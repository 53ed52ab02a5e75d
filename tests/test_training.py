"""cnnlab.training and cnnlab.plotting.training."""

import keras
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from cnnlab import training  # noqa: E402
from cnnlab.plotting import plot_learning_curves, plot_results_table  # noqa: E402


def _model():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(inputs))
    model.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _data(n=20):
    rng = np.random.default_rng(0)
    return rng.random((n, 4), dtype=np.float32), rng.integers(0, 3, n)


def test_fit_steps_takes_exactly_that_many_optimizer_steps():
    x, y = _data(20)
    model = _model()
    record = training.fit_steps(model, x, y, steps=12, batch_size=8, validation_data=(x, y), evaluations=3)
    assert int(model.optimizer.iterations) == 12
    assert record["step"] == [4, 8, 12]
    assert len(record["val_accuracy"]) == 3 and len(record["loss"]) == 3


def test_fit_steps_on_a_set_smaller_than_a_batch_uses_it_whole():
    x, y = _data(5)
    model = _model()
    before = model.get_weights()
    training.fit_steps(model, x, y, steps=1, batch_size=32)
    # One full-batch SGD step: compare with the gradient of the mean cross-entropy in NumPy.
    kernel, bias = before
    logits = x @ kernel + bias
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    p[np.arange(5), y] -= 1.0
    expected_kernel = kernel - 0.1 * x.T @ p / 5
    np.testing.assert_allclose(model.get_weights()[0], expected_kernel, rtol=1e-5, atol=1e-6)


def test_fit_steps_rejects_bad_arguments():
    x, y = _data()
    with pytest.raises(ValueError, match="evaluations"):
        training.fit_steps(_model(), x, y, steps=10, evaluations=3)
    with pytest.raises(ValueError, match="steps"):
        training.fit_steps(_model(), x, y, steps=0)
    with pytest.raises(ValueError, match="same length"):
        training.fit_steps(_model(), x, y[:3], steps=1)


def test_predict_and_accuracy_match_keras():
    x, y = _data(600)
    model = _model()
    np.testing.assert_allclose(training.predict(model, x, batch_size=256), model.predict(x, verbose=0), rtol=1e-6)
    expected = float(np.mean(model.predict(x, verbose=0).argmax(1) == y))
    assert training.accuracy(model, x, y) == expected


def test_learning_curves_draw_the_given_points():
    curves = {"a": {"step": [10, 20], "val_accuracy": [0.5, 0.75]}, "b": {"step": [10, 20], "val_accuracy": [0.2, 0.9]}}
    fig = plot_learning_curves(curves)
    lines = fig.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["a", "b"]
    np.testing.assert_array_equal(lines[1].get_xydata(), [[10, 0.2], [20, 0.9]])
    with pytest.raises(ValueError, match="metric"):
        plot_learning_curves(curves, metric="loss")


def test_results_table_writes_every_value_and_bolds_each_row_best():
    values = np.array([[0.1, 0.9, 0.5], [0.7, 0.2, 0.3]])
    fig = plot_results_table(values, ["r1", "r2"], ["a", "b", "c"])
    texts = {(t.get_position(), t.get_text()): t.get_fontweight() for t in fig.axes[0].texts}
    assert len(texts) == 6
    assert texts[((1, 0), "0.90")] == "bold" and texts[((0, 1), "0.70")] == "bold"
    assert texts[((0, 0), "0.10")] == "normal"
    with pytest.raises(ValueError, match="shape"):
        plot_results_table(values, ["r1"], ["a", "b", "c"])
