"""Detection scenes: several shapes per image, each with its box; one class is the target.

A stand-in for the lecture's "find the cars in traffic images": every image holds a
few non-overlapping shapes of :mod:`cnnlab.data.shapes` (same outlines, random size,
rotation and colour, noisy background), and the task is to box every shape of one
``target`` kind among the others. Shapes never touch (their enclosing circles are
disjoint), so each box is the exact tight box of the shape's pixels, and no shape
hides another. Colour says nothing about the kind.
"""

import numbers
from typing import NamedTuple

import numpy as np

from .shapes import SHAPES, _inside
from .split import check_array_size, check_noise, check_seed

_PLACEMENT_TRIES = 50


class Scenes(NamedTuple):
    """Images, boxes and kinds of :func:`scenes`.

    ``images``: float32 ``(N, S, S, 3)`` in [0, 1]. ``boxes``: tuple of ``N``
    float64 ``(k_i, 4)`` arrays, one "xyxy" pixel box per shape (tight: from the
    first to one past the last covered column and row). ``kinds``: tuple of ``N``
    int arrays ``(k_i,)`` indexing ``class_names``. ``target``: the kind to detect.
    """

    images: np.ndarray
    boxes: tuple
    kinds: tuple
    class_names: tuple
    target: str

    def target_boxes(self):
        """One ``(t_i, 4)`` array per image: the boxes of the target kind only."""
        index = self.class_names.index(self.target)
        return [b[k == index] for b, k in zip(self.boxes, self.kinds)]


def _check_int(value, name, minimum):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def _check_range(value, name, minimum, integer):
    kind = numbers.Integral if integer else numbers.Real
    if (not isinstance(value, (tuple, list)) or len(value) != 2
            or any(isinstance(v, bool) or not isinstance(v, kind) for v in value)
            or not minimum <= value[0] <= value[1]):
        raise ValueError(f"{name} must be a pair (low, high) with {minimum} <= low <= high, got {value!r}")
    return value


def scenes(count=200, image_size=64, seed=0, *, target="triangle", distractors=("circle", "square", "cross"),
           objects=(2, 5), target_fraction=0.35, radius=(5.0, 9.0), noise=0.05):
    """Generate detection scenes with boxes.

    Args:
        count: images, an int >= 1.
        image_size: side of the square images, an int >= 16.
        seed: int seed; the same arguments give the same scenes.
        target: the kind to detect, one of ``SHAPES``.
        distractors: the other kinds drawn, from ``SHAPES`` (not the target).
        objects: ``(low, high)``: shapes wanted per image, drawn uniformly; a
            shape that finds no free place after 50 tries is left out.
        target_fraction: probability that a shape is of the target kind (some
            images then hold no target, as real ones do).
        radius: ``(low, high)`` shape radius in pixels (a triangle's corners
            reach 1.25 times it).
        noise: standard deviation of the uniform pixel noise, >= 0.

    Returns:
        :class:`Scenes`; ``class_names`` is ``(target, *distractors)``.

    Example:
        >>> data = scenes(count=2, seed=0)
        >>> data.images.shape, data.class_names
        ((2, 64, 64, 3), ('triangle', 'circle', 'square', 'cross'))
    """
    count = _check_int(count, "count", 1)
    size = _check_int(image_size, "image_size", 16)
    seed = check_seed(seed)
    if target not in SHAPES:
        raise ValueError(f"target must be one of {SHAPES}, got {target!r}")
    distractors = (distractors,) if isinstance(distractors, str) else tuple(distractors)
    if any(d not in SHAPES or d == target for d in distractors) or len(set(distractors)) != len(distractors):
        raise ValueError(f"distractors must be distinct kinds from {SHAPES} other than the target "
                         f"{target!r}, got {distractors!r}")
    low, high = _check_range(objects, "objects", 1, integer=True)
    if isinstance(target_fraction, bool) or not isinstance(target_fraction, numbers.Real) \
            or not 0 <= target_fraction <= 1 or (not distractors and target_fraction < 1):
        raise ValueError(f"target_fraction must be in [0, 1] (1 when there are no distractors), "
                         f"got {target_fraction!r}")
    r_low, r_high = _check_range(radius, "radius", 2.0, integer=False)
    if 2.5 * r_high + 2 > size:
        raise ValueError(f"radius high {r_high} does not fit in a {size}x{size} image")
    noise = check_noise(noise)
    check_array_size((count, size, size, 3), "count and image_size")

    class_names = (target, *distractors)
    rng = np.random.default_rng(seed)
    centres = np.arange(size, dtype=np.float64) + 0.5
    images = np.empty((count, size, size, 3), np.float32)
    all_boxes, all_kinds = [], []
    for i in range(count):
        flip = rng.random() < 0.5
        background = rng.uniform(0.0, 0.45, 3)
        image = np.broadcast_to(background, (size, size, 3)).copy()
        placed, boxes, kinds = [], [], []
        for _ in range(rng.integers(low, high + 1)):
            kind = 0 if not distractors or rng.random() < target_fraction else 1 + rng.integers(len(distractors))
            r = rng.uniform(r_low, r_high)
            angle = rng.uniform(0, 2 * np.pi)
            colour = rng.uniform(0.55, 1.0, 3)
            for _ in range(_PLACEMENT_TRIES):
                cy, cx = rng.uniform(1.25 * r, size - 1.25 * r, 2)
                if all(np.hypot(cx - x, cy - y) > 1.25 * (r + q) + 1 for x, y, q in placed):
                    break
            else:
                continue
            dy, dx = centres[:, None] - cy, centres[None, :] - cx
            u, v = np.cos(angle) * dx + np.sin(angle) * dy, np.cos(angle) * dy - np.sin(angle) * dx
            mask = _inside(class_names[kind], u[None], v[None], np.array([r]))[0]
            rows, cols = np.nonzero(mask)
            if not len(rows):
                continue
            image[mask] = colour
            placed.append((cx, cy, r))
            boxes.append((cols.min(), rows.min(), cols.max() + 1, rows.max() + 1))
            kinds.append(kind)
        if flip:
            image = 1.0 - image
        image += (rng.random((size, size, 3)) - 0.5) * (2 * np.sqrt(3) * noise)
        images[i] = np.clip(image, 0.0, 1.0)
        all_boxes.append(np.asarray(boxes, np.float64).reshape(-1, 4))
        all_kinds.append(np.asarray(kinds, np.int64))
    return Scenes(images, tuple(all_boxes), tuple(all_kinds), class_names, target)
