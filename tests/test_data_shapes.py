"""The shapes segmentation data set: determinism, value ranges, masks that agree
with the images, and each shape's geometry checked against its definition."""

import sys

import numpy as np
import pytest

from cnnlab.data import SHAPES, shapes
from cnnlab.data.shapes import _inside


def test_types_ranges_and_determinism():
    data = shapes(count=50, image_size=32, seed=3)
    assert data.images.shape == (50, 32, 32, 3) and data.images.dtype == np.float32
    assert data.masks.shape == (50, 32, 32) and np.issubdtype(data.masks.dtype, np.integer)
    assert data.labels.shape == (50,) and data.labels.dtype == np.int64
    assert data.class_names == ("background", "circle", "square", "triangle")
    assert 0.0 <= data.images.min() and data.images.max() <= 1.0
    assert set(np.unique(data.masks)) <= {0, 1, 2, 3}
    again = shapes(count=50, image_size=32, seed=3)
    for a, b in zip(data, again):
        np.testing.assert_array_equal(a, b)
    other = shapes(count=50, image_size=32, seed=4)
    assert not np.array_equal(data.masks, other.masks)


def test_one_shape_per_image_label_is_its_mask_class():
    data = shapes(count=40, image_size=24, seed=0)
    for mask, label in zip(data.masks, data.labels):
        assert set(np.unique(mask)) == {0, label}


def test_labels_are_the_majority_class():
    data = shapes(count=30, image_size=32, seed=1, shapes_per_image=3)
    for mask, label in zip(data.masks, data.labels):
        counts = np.bincount(mask.ravel(), minlength=4)[1:]
        assert counts[label - 1] == counts.max()


def test_masks_match_the_pixels():
    # Without noise, a pixel has its shape's colour where the mask says so, and the
    # background colour elsewhere.
    data = shapes(count=20, image_size=32, seed=2, noise=0.0)
    for image, mask in zip(data.images, data.masks):
        background = image[mask == 0]
        shape = image[mask > 0]
        assert np.ptp(background, axis=0).max() == 0 and np.ptp(shape, axis=0).max() == 0
        assert np.abs(background[0] - shape[0]).max() >= 0.1


def test_chunking_does_not_change_the_result(monkeypatch):
    # cnnlab.data.shapes is also the name of the function, hence sys.modules.
    module = sys.modules["cnnlab.data.shapes"]
    whole = shapes(count=9, image_size=16, seed=5)
    monkeypatch.setattr(module, "_CHUNK", 4)
    chunked = shapes(count=9, image_size=16, seed=5)
    for a, b in zip(whole, chunked):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("kind", SHAPES)
def test_geometry_from_the_definition(kind):
    # Points in the shape's own frame, radius 10: the centre is always inside and a
    # point at 1.3 r in any direction never is; then each kind's own rule.
    grid = np.linspace(-15, 15, 121, dtype=np.float32)
    v, u = np.meshgrid(grid, grid, indexing="ij")
    inside = _inside(kind, u[None], v[None], np.array([10.0], np.float32))[0]
    assert inside[60, 60]
    assert not inside[np.hypot(u, v) > 13].any()
    rule = {
        "circle": np.hypot(u, v) <= 10,
        "square": np.maximum(abs(u), abs(v)) <= 8.5,
        "diamond": abs(u) / 12.5 + abs(v) / 7 <= 1,
        "cross": ((abs(u) <= 10 / 3) & (abs(v) <= 10)) | ((abs(v) <= 10 / 3) & (abs(u) <= 10)),
    }
    if kind in rule:
        np.testing.assert_array_equal(inside, rule[kind])
    else:  # equilateral triangle: area 3 sqrt(3) / 4 * R^2 with circumradius R = 12.5
        cell = (grid[1] - grid[0]) ** 2
        assert inside.sum() * cell == pytest.approx(3 * np.sqrt(3) / 4 * 12.5**2, rel=0.03)


def test_every_class_appears_and_classes_argument():
    data = shapes(count=60, image_size=16, seed=0, classes=("cross", "diamond"))
    assert data.class_names == ("background", "cross", "diamond")
    assert set(np.unique(data.labels)) == {1, 2}


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"count": 0}, "count"),
        ({"image_size": 4}, "image_size"),
        ({"seed": -1}, "seed"),
        ({"classes": ("circle", "hexagon")}, "classes"),
        ({"classes": ()}, "classes"),
        ({"classes": ("circle", "circle")}, "classes"),
        ({"shapes_per_image": 0}, "shapes_per_image"),
        ({"noise": -0.1}, "noise"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        shapes(**kwargs)


def test_noise_has_the_requested_standard_deviation():
    clean = shapes(count=200, image_size=32, seed=6, noise=0.0)
    noisy = shapes(count=200, image_size=32, seed=6, noise=0.1)
    # Away from 0 and 1 the clipping does not bite: the difference is the noise itself.
    middle = (clean.images > 0.4) & (clean.images < 0.6)
    assert (noisy.images - clean.images)[middle].std() == pytest.approx(0.1, rel=0.02)
    np.testing.assert_array_equal(noisy.masks, clean.masks)
