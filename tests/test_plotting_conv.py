"""The lesson figures draw what the arithmetic says: the sliding-window figure counts its
windows from the definition, and must agree with ``cnnlab.shapes`` and with Keras."""

import itertools

import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest

from cnnlab import shapes
from cnnlab.plotting import plot_array, plot_conv_arithmetic, plot_feature_maps, plot_pooling


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def drawn_output_size(figure):
    return int(figure.axes[1].get_title().split()[1].split("x")[0])


@pytest.mark.parametrize(
    "size, kernel, stride, padding, dilation",
    [c for c in itertools.product([5, 7, 8], [1, 3], [1, 2, 3], [0, 1], [1, 2])
     if (c[1] - 1) * c[4] + 1 <= c[0] + 2 * c[3]],
)
def test_conv_figure_output_size_matches_shapes(size, kernel, stride, padding, dilation):
    figure = plot_conv_arithmetic(size, kernel, stride, padding, dilation)
    assert drawn_output_size(figure) == shapes.conv_output_size(
        size, kernel, stride, padding, dilation
    )


def test_conv_figure_matches_keras_and_flags_the_uncovered_column():
    figure = plot_conv_arithmetic(7, 3, stride=3)
    keras_size = keras.layers.Conv2D(1, 3, strides=3).compute_output_shape((None, 7, 7, 1))[1]
    assert drawn_output_size(figure) == keras_size
    assert "never covered" in figure.axes[1].get_title()
    assert "never covered" not in plot_conv_arithmetic(7, 3, stride=3, padding=1).axes[1].get_title()


@pytest.mark.parametrize(
    "kwargs, error",
    [
        (dict(input_size=3, kernel_size=5), ValueError),
        (dict(input_size=5, kernel_size=3, dilation=3), ValueError),
        (dict(input_size=5, kernel_size=3, stride=0), ValueError),
        (dict(input_size=5, kernel_size=3, padding=-1), ValueError),
        (dict(input_size=5.0, kernel_size=3), TypeError),
    ],
)
def test_conv_figure_rejects_bad_arguments(kwargs, error):
    with pytest.raises(error):
        plot_conv_arithmetic(**kwargs)


def test_pooling_figure_shows_keras_values():
    x = np.arange(16, dtype="float32").reshape(4, 4) % 7
    figure = plot_pooling(x, 2)
    shown = [[float(t.get_text()) for t in ax.texts] for ax in figure.axes[1:]]
    batch = x[None, :, :, None]
    expected_max = keras.ops.convert_to_numpy(keras.layers.MaxPooling2D(2)(batch)).ravel()
    expected_avg = keras.ops.convert_to_numpy(keras.layers.AveragePooling2D(2)(batch)).ravel()
    np.testing.assert_allclose(shown[0], expected_max)
    np.testing.assert_allclose(shown[1], expected_avg, atol=0.005)


def test_pooling_figure_rejects_sizes_that_do_not_divide():
    with pytest.raises(ValueError, match="pool_size"):
        plot_pooling(np.zeros((5, 4)), 2)


def test_feature_maps_one_panel_per_channel():
    figure = plot_feature_maps(np.zeros((6, 6, 5)), titles=list("abcde"), ncols=3)
    titled = [ax.get_title() for ax in figure.axes if ax.get_title()]
    assert titled == list("abcde")
    with pytest.raises(ValueError, match="titles"):
        plot_feature_maps(np.zeros((6, 6, 5)), titles=["a"])
    with pytest.raises(ValueError, match="maps"):
        plot_feature_maps([np.zeros(3)])


def test_plot_array_annotates_every_cell():
    ax = plot_array(np.arange(6).reshape(2, 3))
    assert [t.get_text() for t in ax.texts] == ["0", "1", "2", "3", "4", "5"]
    with pytest.raises(ValueError, match="values"):
        plot_array(np.zeros(3))
