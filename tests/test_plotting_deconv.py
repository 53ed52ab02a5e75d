"""The deconvolution figures show the arrays they are given: cell annotations, image
data and line plots are read back from the matplotlib artists."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from cnnlab.deconv import conv_matrix
from cnnlab.plotting import (
    plot_checkerboard,
    plot_conv_matrix,
    plot_image_unpooling,
    plot_segmentation,
    plot_unpooling,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def cell_texts(ax):
    return [t.get_text() for t in ax.texts]


def test_unpooling_tables_show_each_array():
    x = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]])
    pooled = np.array([[6, 8], [3, 4]])
    unpooled = {"max unpooling": np.array([[0, 0, 0, 0], [0, 6, 0, 8], [3, 0, 0, 0], [0, 0, 0, 4]])}
    fig = plot_unpooling(x, pooled, unpooled)
    assert len(fig.axes) == 3
    assert cell_texts(fig.axes[0]) == [str(v) for v in x.ravel()]
    assert cell_texts(fig.axes[1]) == [str(v) for v in pooled.ravel()]
    assert fig.axes[2].get_title() == "max unpooling"
    assert cell_texts(fig.axes[2]) == [str(v) for v in unpooled["max unpooling"].ravel()]
    with pytest.raises(ValueError, match="unpooled"):
        plot_unpooling(x, pooled, {"bad": np.zeros((2, 2))})


def test_conv_matrix_image_is_the_matrix():
    matrix = conv_matrix(np.arange(1.0, 10.0).reshape(3, 3), (4, 4))
    ax = plot_conv_matrix(matrix, (4, 4), labels=np.where(matrix > 0, "w", ""))
    np.testing.assert_array_equal(ax.images[0].get_array(), matrix)
    assert sum(t.get_text() == "w" for t in ax.texts) == 36  # 4 rows x 9 weights
    with pytest.raises(ValueError, match="16 columns"):
        plot_conv_matrix(matrix[:, :15], (4, 4))


def test_checkerboard_plots_the_middle_row():
    image = np.tile([1.0, 2.0], (6, 3))
    fig = plot_checkerboard({"pattern": image})
    np.testing.assert_array_equal(fig.axes[1].lines[0].get_ydata(), image[3])


def test_image_unpooling_zoom_crops_each_image():
    images = {"big": np.linspace(0, 1, 64).reshape(8, 8), "small": np.ones((4, 4))}
    fig = plot_image_unpooling(images, crop=(0.5, 0.5, 0.5, 0.5))
    assert len(fig.axes) == 4
    zoom_big = fig.axes[2].images[0].get_array()  # second row, first column
    np.testing.assert_array_equal(zoom_big, images["big"][4:8, 4:8])


def test_segmentation_grid():
    images = np.zeros((3, 5, 5, 3))
    masks = np.zeros((3, 5, 5), int)
    fig = plot_segmentation(images, masks, {"model": masks}, ("background", "circle"))
    assert len(fig.axes) == 3 * 3
    assert fig.axes[3].get_ylabel() == "truth"
