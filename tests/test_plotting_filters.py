"""First-layer filter grids: the images are the kernel, normalised as documented."""

import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest

from cnnlab.plotting import filter_images, plot_filters


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def kernel(inputs=3, filters=6, seed=0):
    rng = np.random.default_rng(seed)
    k = rng.normal(size=(5, 5, inputs, filters))
    k[..., 1] *= 0.01  # a nearly dead filter
    return k


def test_per_filter_normalisation_stretches_each_filter_to_0_1():
    k = kernel()
    images = filter_images(k)
    assert images.shape == (6, 5, 5, 3)
    for f in range(6):
        w = k[..., f]
        np.testing.assert_allclose(images[f], (w - w.min()) / (w.max() - w.min()))


def test_symmetric_normalisation_keeps_zero_at_grey():
    k = kernel()
    images = filter_images(k, "symmetric")
    for f in range(6):
        w = k[..., f]
        np.testing.assert_allclose(images[f], 0.5 + w / (2 * np.abs(w).max()))
    assert images.min() >= 0 and images.max() <= 1


def test_global_normalisation_shows_a_dead_filter_as_flat():
    k = kernel()
    images = filter_images(k, "global")
    np.testing.assert_allclose(images, np.moveaxis((k - k.min()) / (k.max() - k.min()), 3, 0))
    spread = images.reshape(6, -1).std(axis=1)
    assert spread[1] < 0.05 * np.delete(spread, 1).min()
    # Per-filter normalisation hides that: the dead filter looks as strong as the rest.
    assert filter_images(k).reshape(6, -1).std(axis=1)[1] > 0.5 * np.delete(spread, 1).min()


def test_rgb_grid_draws_one_colour_image_per_filter():
    k = kernel()
    fig = plot_filters(k, ncols=3)
    assert len(fig.axes) == 6
    for ax, image in zip(fig.axes, filter_images(k)):
        np.testing.assert_allclose(ax.images[0].get_array(), image)


def test_separate_channels_and_grey_inputs():
    k = kernel(inputs=2, filters=4)
    fig = plot_filters(k)  # auto: 2 input channels are not RGB
    assert len(fig.axes) == 8
    images = filter_images(k)
    np.testing.assert_allclose(fig.axes[3 * 2 + 1].images[0].get_array(), images[3, ..., 1])
    grey = plot_filters(kernel(inputs=1, filters=10))
    assert len(grey.axes) == 10
    assert len(plot_filters(kernel(), channels="separate", max_filters=2).axes) == 6


def test_layers_variables_and_models():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((16, 16, 3))
    conv = keras.layers.Conv2D(8, 3, name="first")
    model = keras.Model(inputs, keras.layers.Conv2D(4, 3)(conv(inputs)))
    expected = filter_images(keras.ops.convert_to_numpy(conv.kernel))
    for source in (conv, conv.kernel, model):
        np.testing.assert_allclose(filter_images(source), expected)


def test_bad_input():
    with pytest.raises(ValueError, match="normalize"):
        filter_images(kernel(), "minmax")
    with pytest.raises(ValueError, match="rgb"):
        plot_filters(kernel(inputs=2), channels="rgb")
    with pytest.raises(ValueError, match="kernel"):
        filter_images(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="kernel"):
        filter_images(keras.layers.Dense(3))
    with pytest.raises(ValueError, match="channels"):
        plot_filters(kernel(), channels="grey")
