"""Coloured geometric shapes on noisy backgrounds, with a class mask per pixel.

A segmentation data set that needs no download: every image holds one or more
filled shapes at a random position, size, rotation and colour; the mask says, pixel by
pixel, which class covers it (0 = background).

Only the outline tells the classes apart. What varies at random, and says nothing about
the class:

- rotation: uniform over the full turn;
- scale: the radius ``r`` is uniform in [0.15, 0.32] of the image side;
- position: uniform, with the whole shape inside the image;
- colour: shape and background colours are drawn independently of the class, and a
  shape is as often darker than its background as brighter (each colour channel of a
  shape differs from the background's by at least 0.1);
- noise: independent per pixel and channel, of standard deviation ``noise``.

So every class must be distinguishable from every other under all of these at once,
which constrains the geometry (the shapes are defined in units of ``r`` in
:func:`_inside`): a circle of radius ``r``; a square of half-side 0.85 r; an
equilateral triangle of circumradius 1.25 r; a cross of arm length r and half-width
r / 3; and a "diamond" that is a rhombus with half-diagonals 1.25 r and 0.7 r. The
diamond's diagonals must differ: a rhombus with equal diagonals is a square rotated by
45 degrees, which uniform rotation and random size make identical to the square class.
``tests/test_data_shapes.py`` checks that rotation- and scale-invariant descriptors of
the masks (Hu moments, solidity, eccentricity, compactness) separate every pair of
classes at 32x32 and 64x64, and that the pixels show the mask under random colours and
the default noise. No point of any shape lies farther than ``REACH * r`` from its centre.
"""

import numbers
from typing import NamedTuple

import numpy as np

from .split import check_array_size, check_noise, check_seed

SHAPES = ("circle", "square", "triangle", "diamond", "cross")
BACKGROUND = "background"
REACH = 1.25  # farthest point of any shape from its centre, in radii (triangle and diamond corners)
_CHUNK = 1024  # images drawn per vectorised step: bounds memory, not results


class ShapesData(NamedTuple):
    """Images, per-pixel masks and per-image labels of :func:`shapes`.

    ``images``: float32 ``(N, S, S, 3)`` in [0, 1]. ``masks``: int32 ``(N, S, S)``,
    0 for background and ``k`` where ``class_names[k]`` covers the pixel. ``labels``:
    int64 ``(N,)``, the class covering the most pixels of each image (never 0).
    ``class_names``: ``("background", *classes)``.
    """

    images: np.ndarray
    masks: np.ndarray
    labels: np.ndarray
    class_names: tuple


# owner (below) numbers the shapes of an image in an int8.
MAX_SHAPES_PER_IMAGE = np.iinfo(np.int8).max


def _check_int(value, name, minimum):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def _check_classes(classes):
    if isinstance(classes, str):
        classes = (classes,)
    classes = tuple(classes)
    unknown = [c for c in classes if c not in SHAPES]
    if not classes or unknown or len(set(classes)) != len(classes):
        raise ValueError(
            f"classes must be distinct names from {SHAPES}, got {classes!r}"
        )
    return classes


def _inside(kind, u, v, radius):
    """Boolean mask of one shape kind in its own rotated frame (u, v), radius r.

    ``u`` and ``v`` are ``(n, ...)`` coordinates relative to each shape's centre and
    ``radius`` is ``(n,)``; the result is True inside. The module docstring lists the
    geometry of each kind.
    """
    r = radius[:, None, None]
    if kind == "circle":
        return u * u + v * v <= r * r
    if kind == "square":  # half side 0.85 r: about the circle's area
        return np.maximum(np.abs(u), np.abs(v)) <= 0.85 * r
    if kind == "diamond":  # a rhombus, long axis along u
        return np.abs(u) / (1.25 * r) + np.abs(v) / (0.7 * r) <= 1
    if kind == "cross":
        arm = r / 3
        return ((np.abs(u) <= arm) & (np.abs(v) <= r)) | ((np.abs(v) <= arm) & (np.abs(u) <= r))
    # Equilateral triangle, circumradius 1.25 r: inside all three edges, each at the
    # inradius (half the circumradius) along its outward normal.
    inside = np.ones(u.shape, dtype=bool)
    for k in range(3):
        angle = np.pi / 2 + k * 2 * np.pi / 3
        inside &= -(np.cos(angle) * u + np.sin(angle) * v) <= 0.625 * r
    return inside


def shapes(
    count=1000,
    image_size=64,
    seed=0,
    *,
    classes=("circle", "square", "triangle"),
    shapes_per_image=1,
    noise=0.05,
):
    """Generate the shapes segmentation data set.

    Args:
        count: number of images, an int >= 1.
        image_size: side of the square images, an int >= 8.
        seed: int seed; the same arguments always give the same arrays.
        classes: shape kinds to draw, a subset of ``SHAPES`` (their order sets the
            class numbers 1, 2, ...).
        shapes_per_image: shapes painted on each image (1 to 127), later ones
            over earlier ones.
        noise: standard deviation of the (uniform, independent per pixel and channel)
            noise added to every pixel, >= 0; values are then clipped to [0, 1].

    Returns:
        :class:`ShapesData` ``(images, masks, labels, class_names)``.

    Example:
        >>> data = shapes(count=4, image_size=32, seed=0)
        >>> data.images.shape, data.masks.shape, data.class_names
        ((4, 32, 32, 3), (4, 32, 32), ('background', 'circle', 'square', 'triangle'))
    """
    count = _check_int(count, "count", 1)
    image_size = _check_int(image_size, "image_size", 8)
    seed = check_seed(seed)
    classes = _check_classes(classes)
    shapes_per_image = _check_int(shapes_per_image, "shapes_per_image", 1)
    if shapes_per_image > MAX_SHAPES_PER_IMAGE:
        raise ValueError(f"shapes_per_image must be at most {MAX_SHAPES_PER_IMAGE} (each pixel "
                         f"records which shape covers it in an int8), got {shapes_per_image}")
    noise = check_noise(noise)
    check_array_size((count, image_size, image_size, 3), "count and image_size")

    rng = np.random.default_rng(seed)
    # Every random number is drawn here, for all images at once, so that the output
    # does not depend on how the work is chunked below.
    n, s, layers = count, image_size, shapes_per_image
    kinds = rng.integers(0, len(classes), (n, layers))
    radius = (rng.uniform(0.15, 0.32, (n, layers)) * s).astype(np.float32)
    margin = REACH * radius
    centre_y = margin + rng.uniform(0, 1, (n, layers)).astype(np.float32) * (s - 2 * margin)
    centre_x = margin + rng.uniform(0, 1, (n, layers)).astype(np.float32) * (s - 2 * margin)
    angle = rng.uniform(0, 2 * np.pi, (n, layers))
    dark = rng.uniform(0.0, 0.45, (n, 1, 3))
    light = rng.uniform(0.55, 1.0, (n, layers, 3))
    # Half of the images are dark shapes on a light background, half the reverse.
    flip = (rng.random(n) < 0.5)[:, None, None]
    palette = np.concatenate([dark, light], axis=1)  # entry 0: the background
    palette = np.where(flip, 1.0 - palette, palette).astype(np.float32)
    # Uniform rather than Gaussian noise: four times cheaper to draw, same standard
    # deviation (a uniform on [-a, a] has standard deviation a / sqrt(3)).
    noise_field = rng.random((n, s, s, 3), dtype=np.float32)
    noise_field -= np.float32(0.5)
    noise_field *= np.float32(2 * np.sqrt(3) * noise)

    # owner[i, y, x]: 0 for background, else 1 + the last shape painted over the pixel.
    owner = np.zeros((n, s, s), dtype=np.int8)
    centres = np.arange(s, dtype=np.float32) + np.float32(0.5)
    for start in range(0, n, _CHUNK):
        part = slice(start, min(start + _CHUNK, n))
        for layer in range(layers):
            dy = centres[None, :, None] - centre_y[part, layer, None, None]
            dx = centres[None, None, :] - centre_x[part, layer, None, None]
            cos = np.cos(angle[part, layer]).astype(np.float32)[:, None, None]
            sin = np.sin(angle[part, layer]).astype(np.float32)[:, None, None]
            u, v = cos * dx + sin * dy, cos * dy - sin * dx
            inside = np.zeros(u.shape, dtype=bool)
            for k, kind in enumerate(classes):
                chosen = kinds[part, layer] == k
                if chosen.any():
                    size = radius[part, layer][chosen]
                    inside[chosen] = _inside(kind, u[chosen], v[chosen], size)
            owner[part][inside] = layer + 1
    rows = np.arange(n)[:, None, None]
    images = palette[rows, owner]
    images += noise_field
    np.clip(images, 0.0, 1.0, out=images)
    class_of = np.concatenate([np.zeros((n, 1), np.int32), kinds.astype(np.int32) + 1], axis=1)
    masks = class_of[rows, owner]

    counts = np.stack([(masks == k + 1).sum(axis=(1, 2)) for k in range(len(classes))], axis=1)
    labels = (counts.argmax(axis=1) + 1).astype(np.int64)
    return ShapesData(images, masks, labels, (BACKGROUND, *classes))
