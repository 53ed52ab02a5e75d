"""Class colours are keyed by name: a class keeps its colour whatever list it is in."""

import os
import subprocess
import sys

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib import colors as mcolors

from cnnlab.data import SHAPES, shapes
from cnnlab.plotting import (CLASS_COLORS, class_color, class_colormap, class_colors, class_norm,
                             mask_to_rgb, plot_segmentation)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _drawn_rgb(ax):
    """The RGB image matplotlib renders for an axes' first image."""
    image = ax.images[0]
    return image.to_rgba(image.get_array(), bytes=False)[..., :3]


def test_the_course_classes_have_fixed_distinct_colours():
    names = ("background", *SHAPES)
    rgb = class_colors(names)
    assert rgb.shape == (6, 3)
    # Pairwise distance in RGB: no two of the course's classes look alike.
    gaps = np.linalg.norm(rgb[:, None] - rgb[None], axis=-1)[np.triu_indices(6, 1)]
    assert gaps.min() > 0.25
    assert [mcolors.to_hex(c) for c in rgb] == [CLASS_COLORS[n] for n in names]


def test_a_class_keeps_its_colour_in_another_class_list():
    two = class_colors(("background", "circle", "square"))
    five = class_colors(("background", "cross", "diamond", "triangle", "square", "circle"))
    np.testing.assert_array_equal(two[2], five[4])  # square
    np.testing.assert_array_equal(two[1], five[5])  # circle


def test_colormap_and_norm_map_class_numbers_to_their_colours():
    names = ("background", "triangle", "square")
    cmap, norm = class_colormap(names), class_norm(names)
    np.testing.assert_allclose(cmap(norm(np.arange(3)))[:, :3], class_colors(names))


def test_plot_segmentation_draws_square_in_the_same_colour_in_two_lessons():
    # Lesson 03 uses (circle, square, triangle), lesson 13 (circle, square): the pixels
    # of a square are drawn in the same colour in both figures.
    figures = {}
    for classes in [("circle", "square", "triangle"), ("circle", "square")]:
        data = shapes(count=4, image_size=24, seed=0, classes=classes)
        fig = plot_segmentation(data.images, data.masks, {}, data.class_names)
        truth_row = fig.axes[len(data.images):2 * len(data.images)]
        figures[classes] = (data, truth_row)
    for classes, (data, truth_row) in figures.items():
        square = data.class_names.index("square")
        for ax, mask in zip(truth_row, data.masks):
            drawn = _drawn_rgb(ax)
            np.testing.assert_allclose(drawn[mask == square], np.broadcast_to(
                mcolors.to_rgb(CLASS_COLORS["square"]), drawn[mask == square].shape), atol=1e-6)
            np.testing.assert_allclose(drawn, mask_to_rgb(mask, data.class_names), atol=1e-6)


def test_other_names_get_a_colour_that_does_not_depend_on_the_session():
    code = "from cnnlab.plotting import class_colors; print(class_colors(['brick', 'grass', 'moon']).tolist())"
    outputs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1
    assert outputs.pop().strip() == str(class_colors(["brick", "grass", "moon"]).tolist())


def test_colours_within_one_figure_are_distinct():
    names = [f"class {k}" for k in range(10)]
    rgb = class_colors(names)
    assert len({tuple(c) for c in rgb}) == 10
    assert class_color("class 3") == class_color("class 3")


def test_bad_input():
    with pytest.raises(TypeError, match="class_names"):
        class_colors("square")
    with pytest.raises(ValueError, match="distinct"):
        class_colors(["square", "square"])
    with pytest.raises(ValueError, match="at least one"):
        class_colors([])
    with pytest.raises(TypeError, match="name"):
        class_color(3)
    with pytest.raises(ValueError, match=r"0\.\.1"):
        mask_to_rgb(np.array([[0, 2]]), ["background", "circle"])
    with pytest.raises(TypeError, match="integer"):
        mask_to_rgb(np.zeros((2, 2)), ["background", "circle"])
