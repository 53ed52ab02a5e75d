"""Figures of the deconvolution lesson: unpooling, the convolution matrix, checkerboard
artifacts and segmentation masks."""

import numpy as np
from matplotlib import colors as mcolors
from matplotlib import pyplot as plt

from .conv import plot_array
from .palette import class_colormap, class_norm


def _window_groups(shape, pool_size):
    rows = np.arange(shape[0]) // pool_size
    cols = np.arange(shape[1]) // pool_size
    return rows[:, None] * (-(-shape[1] // pool_size)) + cols[None, :]


def plot_unpooling(x, pooled, unpooled, pool_size=2):
    """A small array, its max pooling, and unpoolings of the pooled values, as tables.

    Args:
        x: the 2-D input.
        pooled: its 2-D max pooling (non-overlapping ``pool_size`` windows).
        unpooled: mapping from a method's name to its 2-D result, of ``x``'s shape.
        pool_size: window side, for the coloured window outlines.

    Returns:
        The matplotlib figure.
    """
    x, pooled = np.asarray(x, dtype=float), np.asarray(pooled, dtype=float)
    if x.ndim != 2 or pooled.ndim != 2:
        raise ValueError(f"x and pooled must be 2-D, got shapes {x.shape} and {pooled.shape}")
    for name, result in unpooled.items():
        if np.shape(result) != x.shape:
            raise ValueError(
                f"unpooled[{name!r}] must have shape {x.shape}, got {np.shape(result)}"
            )
    groups = _window_groups(x.shape, pool_size)
    winners = x == np.kron(pooled, np.ones((pool_size, pool_size)))[: x.shape[0], : x.shape[1]]
    panels = 2 + len(unpooled)
    ratios = [x.shape[1], pooled.shape[1]] + [x.shape[1]] * len(unpooled)
    fig, axes = plt.subplots(
        1, panels, figsize=(0.55 * sum(ratios) + 0.4 * panels, 0.55 * x.shape[0] + 0.8),
        gridspec_kw={"width_ratios": ratios},
    )
    plot_array(x, axes[0], "input (bold: maxima)", highlight=groups, bold=winners)
    plot_array(pooled, axes[1], "max pool", highlight=_window_groups(pooled.shape, 1))
    for ax, (name, result) in zip(axes[2:], unpooled.items()):
        result = np.asarray(result, dtype=float)
        plot_array(result, ax, name, highlight=groups, bold=result != 0)
    fig.tight_layout()
    return fig


def plot_image_unpooling(images, crop=None, size=2.6):
    """Images side by side, each above a zoom on the same crop.

    Args:
        images: mapping from a title to an ``(H, W)`` or ``(H, W, 3)`` image in [0, 1];
            they may differ in size (a pooled image is smaller), and the crop is
            scaled to each.
        crop: ``(top, left, height, width)`` as fractions of the image; ``None`` for
            no zoom row.
        size: inches per panel.

    Returns:
        The matplotlib figure.
    """
    rows = 1 if crop is None else 2
    fig, axes = plt.subplots(rows, len(images), figsize=(size * len(images), size * rows),
                             squeeze=False)
    for col, (title, image) in enumerate(images.items()):
        image = np.clip(np.asarray(image, dtype=float), 0, 1)
        axes[0, col].imshow(image, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        axes[0, col].set_title(title, fontsize=9)
        if crop is not None:
            top, left, height, width = crop
            h, w = image.shape[:2]
            r0, c0 = int(top * h), int(left * w)
            r1, c1 = r0 + max(int(height * h), 1), c0 + max(int(width * w), 1)
            axes[0, col].add_patch(plt.Rectangle((c0 - 0.5, r0 - 0.5), c1 - c0, r1 - r0,
                                                 fill=False, edgecolor="tab:red", linewidth=1.2))
            axes[1, col].imshow(image[r0:r1, c0:c1], cmap="gray", vmin=0, vmax=1,
                                interpolation="nearest")
            axes[1, col].set_title("zoom", fontsize=8)
    for ax in axes.flat:
        ax.axis("off")
    fig.tight_layout()
    return fig


def plot_conv_matrix(matrix, input_size, labels=None, ax=None):
    """The convolution matrix ``C`` as an image: one row per output pixel.

    Args:
        matrix: 2-D array ``(outputs, inputs)``.
        input_size: ``(H, W)`` of the input; vertical lines separate its image rows.
        labels: optional 2-D array of strings of ``matrix``'s shape, written in the
            non-zero cells (e.g. ``"w00"``).
        ax: axes to draw on; a new figure when ``None``.

    Returns:
        The axes.
    """
    matrix = np.asarray(matrix, dtype=float)
    if matrix.ndim != 2 or matrix.shape[1] != input_size[0] * input_size[1]:
        raise ValueError(
            f"matrix must be 2-D with {input_size[0] * input_size[1]} columns, "
            f"got shape {matrix.shape}"
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(0.45 * matrix.shape[1] + 1, 0.45 * matrix.shape[0] + 1))
    limit = np.abs(matrix).max() or 1.0
    ax.imshow(matrix, cmap="RdBu_r", norm=mcolors.Normalize(-limit, limit))
    for col in range(input_size[1], matrix.shape[1], input_size[1]):
        ax.axvline(col - 0.5, color="0.4", linewidth=1)
    if labels is not None:
        for (r, c), text in np.ndenumerate(np.asarray(labels)):
            if matrix[r, c] != 0:
                ax.text(c, r, text, ha="center", va="center", fontsize=7)
    ax.set_xticks(range(matrix.shape[1]))
    ax.set_yticks(range(matrix.shape[0]))
    ax.tick_params(labelsize=7)
    ax.set_xlabel("input pixel (flattened; lines separate image rows)")
    ax.set_ylabel("output pixel")
    return ax


def plot_checkerboard(outputs, row=None, size=3.0):
    """Upsampled maps side by side, and one row of each as a line: uneven kernel
    overlap shows up as a periodic pattern.

    Args:
        outputs: mapping from a method's name to a 2-D map.
        row: index of the row to plot as a line; the middle row by default.
        size: inches per panel.

    Returns:
        The matplotlib figure.
    """
    fig, axes = plt.subplots(2, len(outputs), figsize=(size * len(outputs), size * 1.7),
                             squeeze=False, gridspec_kw={"height_ratios": [1.4, 1]})
    for col, (name, image) in enumerate(outputs.items()):
        image = np.asarray(image, dtype=float)
        line = image.shape[0] // 2 if row is None else row
        axes[0, col].imshow(image, cmap="magma")
        axes[0, col].axhline(line, color="tab:cyan", linewidth=0.8)
        axes[0, col].set_title(name, fontsize=9)
        axes[0, col].axis("off")
        axes[1, col].plot(image[line], marker=".", color="tab:blue")
        axes[1, col].set_xlabel("column", fontsize=8)
        axes[1, col].tick_params(labelsize=7)
    fig.tight_layout()
    return fig


def plot_segmentation(images, masks, predictions, class_names, size=1.8):
    """Images, their true masks, and each model's predicted masks, one column per image.

    Args:
        images: ``(N, H, W, 3)`` in [0, 1].
        masks: ``(N, H, W)`` integer class maps.
        predictions: mapping from a model's name to ``(N, H, W)`` class maps.
        class_names: names of the classes, background first; each class is drawn in
            its own colour (:func:`cnnlab.plotting.class_color`), the same in every figure.
        size: inches per panel.

    Returns:
        The matplotlib figure.
    """
    images, masks = np.asarray(images), np.asarray(masks)
    rows = 2 + len(predictions)
    cmap, norm = class_colormap(class_names), class_norm(class_names)
    fig, axes = plt.subplots(rows, len(images), figsize=(size * len(images), size * rows),
                             squeeze=False)
    maps = [("truth", masks)] + list(predictions.items())
    for col in range(len(images)):
        axes[0, col].imshow(images[col])
        for r, (name, classes) in enumerate(maps, start=1):
            axes[r, col].imshow(classes[col], cmap=cmap, norm=norm, interpolation="nearest")
            if col == 0:
                axes[r, col].set_ylabel(name, fontsize=9)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    handles = [plt.Rectangle((0, 0), 1, 1, color=cmap(k)) for k in range(len(class_names))]
    fig.legend(handles, class_names, loc="lower center", ncol=len(class_names), fontsize=8,
               frameon=False)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig
