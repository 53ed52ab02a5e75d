"""Learning curves of several seeds: the mean line and the band are the runs' mean and
range (or standard deviation), computed here with NumPy from the same histories."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from cnnlab.plotting import plot_learning_curves, spread


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def runs(offset, seeds=4):
    rng = np.random.default_rng(int(offset * 100))
    steps = [10, 20, 30, 40]
    return [{"step": steps, "val_accuracy": list(offset + 0.1 * np.arange(4) + rng.uniform(-0.02, 0.02, 4))}
            for _ in range(seeds)]


def test_spread_is_the_mean_and_range_or_standard_deviation():
    histories = runs(0.5)
    values = np.array([h["val_accuracy"] for h in histories])
    result = spread(histories)
    np.testing.assert_array_equal(result.steps, [10, 20, 30, 40])
    np.testing.assert_allclose(result.mean, values.mean(axis=0))
    np.testing.assert_allclose(result.low, values.min(axis=0))
    np.testing.assert_allclose(result.high, values.max(axis=0))
    deviation = spread(histories, band="std")
    np.testing.assert_allclose(deviation.high - deviation.mean, values.std(axis=0))


def test_two_experiments_separate_when_one_band_is_above_the_other():
    low, high = spread(runs(0.2)), spread(runs(0.3))
    assert (high.low > low.high).all()
    overlapping = spread(runs(0.21))
    assert not (overlapping.low > low.high).all()


def test_plot_draws_the_mean_line_and_the_band():
    fig = plot_learning_curves({"plain": runs(0.2), "resnet": runs(0.4), "single": runs(0.6, seeds=1)[0]})
    ax = fig.axes[0]
    assert len(ax.lines) == 3 and len(ax.collections) == 2
    np.testing.assert_allclose(ax.lines[1].get_ydata(), spread(runs(0.4)).mean)
    band = ax.collections[1].get_paths()[0].vertices
    inside = band[(band[:, 0] >= 10) & (band[:, 0] <= 40)]
    expected = spread(runs(0.4))
    assert inside[:, 1].min() == pytest.approx(expected.low.min())
    assert inside[:, 1].max() == pytest.approx(expected.high.max())
    assert "mean of 4" in ax.get_legend().get_texts()[1].get_text()
    assert ax.get_xlabel() == "optimizer steps"


def test_bad_input():
    with pytest.raises(ValueError, match="same steps"):
        spread([{"step": [1, 2], "loss": [1, 2]}, {"step": [1, 3], "loss": [1, 2]}], "loss")
    with pytest.raises(ValueError, match="band"):
        spread(runs(0.2), band="iqr")
    with pytest.raises(ValueError, match="not in the history"):
        spread(runs(0.2), metric="loss")
    with pytest.raises(ValueError, match="non-empty list"):
        spread([])
