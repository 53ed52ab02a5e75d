"""One colour per class name, the same in every figure of the course.

A colour map indexed by class number gives "square" a different colour whenever the
class list changes (``("circle", "square")`` in one lesson, ``("circle", "square",
"triangle")`` in another). Here the colour is looked up by *name*: the course's own
classes have fixed colours, and any other name gets one derived from its text, so it
too is the same in every figure.
"""

import zlib

import numpy as np
from matplotlib import colors as mcolors

# Colour-blind-friendly (Okabe-Ito) for the classes of cnnlab.data.shapes; the
# background is a neutral dark grey that none of them resembles.
CLASS_COLORS = {
    "background": "#3a3a3a",
    "circle": "#e69f00",
    "square": "#56b4e9",
    "triangle": "#009e73",
    "diamond": "#f0e442",
    "cross": "#cc79a7",
}
# For any other name, distinct from the colours above and from each other: the rest of
# Okabe-Ito, then tab10/tab20 entries far from every fixed colour.
_EXTRA = ("#0072b2", "#d55e00", "#9467bd", "#8c564b", "#c7c7c7", "#ff9896", "#c5b0d5",
          "#c49c94", "#1f3f7f", "#7f0000")


def class_color(name):
    """The colour of one class name, as a hex string (``"#rrggbb"``).

    Args:
        name: a class name (str). The course's classes (``CLASS_COLORS``) have fixed
            colours; any other name gets an entry of a 10-colour palette chosen by a
            checksum of its text, the same on every machine and in every session.

    Example:
        >>> class_color("square")
        '#56b4e9'
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a class name (str), got {name!r}")
    if name in CLASS_COLORS:
        return CLASS_COLORS[name]
    return _EXTRA[zlib.crc32(name.encode("utf-8")) % len(_EXTRA)]


def class_colors(class_names):
    """The colours of ``class_names``, in order, as an ``(n, 3)`` float array in [0, 1].

    Names outside ``CLASS_COLORS`` that would get the same palette entry as an
    earlier name of the list take the next free entry instead, so that the colours of
    one figure are distinct (up to ten such names; beyond that they repeat).
    """
    names = _names(class_names)
    taken, result = set(), []
    for name in names:
        color = class_color(name)
        if name not in CLASS_COLORS and color in taken:
            start = _EXTRA.index(color)
            free = [_EXTRA[(start + k) % len(_EXTRA)] for k in range(len(_EXTRA))]
            color = next((c for c in free if c not in taken), color)
        taken.add(color)
        result.append(mcolors.to_rgb(color))
    return np.array(result)


def class_colormap(class_names):
    """A ``ListedColormap`` whose entry ``k`` is the colour of ``class_names[k]``.

    Draw an integer mask with ``imshow(mask, cmap=class_colormap(names),
    norm=class_norm(names))`` so that value ``k`` gets exactly that colour.

    Example:
        >>> names = ("background", "circle", "square")
        >>> plt.imshow(mask, cmap=class_colormap(names), norm=class_norm(names))
    """
    names = _names(class_names)
    return mcolors.ListedColormap(class_colors(names), name="cnnlab_classes")


def class_norm(class_names):
    """The ``BoundaryNorm`` that maps the integers 0 .. n-1 to the n entries of
    :func:`class_colormap`."""
    count = len(_names(class_names))
    return mcolors.BoundaryNorm(np.arange(count + 1) - 0.5, count)


def mask_to_rgb(mask, class_names):
    """An integer class mask ``(..., H, W)`` as an RGB image ``(..., H, W, 3)`` in [0, 1].

    Raises:
        ValueError: the mask holds a value outside ``0 .. len(class_names) - 1``.
    """
    names = _names(class_names)
    mask = np.asarray(mask)
    if not np.issubdtype(mask.dtype, np.integer):
        raise TypeError(f"mask must hold integer class numbers, got dtype {mask.dtype}")
    if mask.size and (mask.min() < 0 or mask.max() >= len(names)):
        raise ValueError(
            f"mask values must be class numbers in 0..{len(names) - 1} (one per class name), "
            f"got values from {mask.min()} to {mask.max()}"
        )
    return class_colors(names)[mask]


def _names(class_names):
    if isinstance(class_names, str) or not all(isinstance(n, str) for n in class_names):
        raise TypeError(f"class_names must be a sequence of str, got {class_names!r}")
    names = tuple(class_names)
    if not names:
        raise ValueError("class_names must name at least one class")
    if len(set(names)) != len(names):
        raise ValueError(f"class_names must be distinct, got {names!r}")
    return names
