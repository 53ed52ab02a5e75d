"""Figures for the convolution and pooling lessons: the sliding window, feature maps, pooling.

The arithmetic figure draws from the definition (window positions at multiples of the
stride on the padded grid) rather than from ``cnnlab.shapes``, so a figure and the
calculator are two independent views of the same formula.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import colors as mcolors
from matplotlib.patches import Rectangle

from .._checks import integer, positive_int

WINDOW_COLORS = plt.get_cmap("tab10").colors


def _window_starts(padded, span, stride):
    """Top-left corners of every window that fits inside the padded input."""
    return list(range(0, padded - span + 1, stride))


def plot_conv_arithmetic(input_size, kernel_size, stride=1, padding=0, dilation=1, axes=None):
    """Draw a square convolution on one axis: padded input, window positions, output grid.

    Left: the input (white) with its zero padding (grey). The windows of the first
    output row are outlined, one colour each, at multiples of the stride; with a
    dilation the kernel taps are dots with holes between them. Input cells that no
    window ever covers are hatched red: this is the stride that "does not fit", which
    Keras silently drops (the floor convention). Right: the output grid, its first row
    coloured like the windows that produce it.

    Args:
        input_size: side of the square input, ``W1``.
        kernel_size: side of the square kernel, ``F``.
        stride: ``S``.
        padding: zeros added on each side, ``P``.
        dilation: spacing between kernel taps.
        axes: two matplotlib axes to draw on; a new figure when ``None``.

    Returns:
        The matplotlib figure.
    """
    size = positive_int(input_size, "input_size")
    kernel = positive_int(kernel_size, "kernel_size")
    stride = positive_int(stride, "stride")
    padding = integer(padding, "padding", minimum=0)
    dilation = positive_int(dilation, "dilation")
    padded = size + 2 * padding
    span = (kernel - 1) * dilation + 1
    if span > padded:
        raise ValueError(
            f"kernel_size {kernel} with dilation {dilation} spans {span} pixels, more than the "
            f"padded input ({padded}): there is no output to draw"
        )
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(7.5, 3.6), gridspec_kw={"width_ratios": [3, 2]})
    ax_in, ax_out = axes
    fig = ax_in.figure

    starts = _window_starts(padded, span, stride)
    covered = np.zeros(padded, bool)
    for start in starts:
        covered[start : start + span] = True

    for r in range(padded):
        for c in range(padded):
            is_pad = not (padding <= r < padding + size and padding <= c < padding + size)
            unused = not is_pad and not (covered[r] and covered[c])
            ax_in.add_patch(
                Rectangle(
                    (c, r),
                    1,
                    1,
                    facecolor="0.85" if is_pad else "white",
                    edgecolor="0.6",
                    linewidth=0.8,
                )
            )
            if unused:
                ax_in.add_patch(
                    Rectangle((c, r), 1, 1, fill=False, hatch="///", edgecolor="tab:red", lw=0)
                )
    for index, start in enumerate(starts):
        color = WINDOW_COLORS[index % len(WINDOW_COLORS)]
        # Overlapping windows are staggered a little so that each outline stays visible.
        drop = 0.1 * (index % 4)
        ax_in.add_patch(
            Rectangle(
                (start + 0.06, drop + 0.03),
                span - 0.12,
                span - 0.36,
                fill=False,
                edgecolor=color,
                linewidth=2.5,
            )
        )
    if dilation > 1 and starts:
        taps = 0.5 + dilation * np.arange(kernel)
        tx, ty = np.meshgrid(starts[0] + taps, taps)
        ax_in.scatter(tx.ravel(), ty.ravel(), s=22, color=WINDOW_COLORS[0], zorder=3)
    _grid_axes(ax_in, padded, padded)
    ax_in.set_title(f"input {size}x{size}, padding {padding}\nkernel {kernel}x{kernel}, "
                    f"stride {stride}, dilation {dilation}", fontsize=9)

    out = len(starts)
    for r in range(out):
        for c in range(out):
            color = WINDOW_COLORS[c % len(WINDOW_COLORS)] if r == 0 else "white"
            ax_out.add_patch(Rectangle((c, r), 1, 1, facecolor=color, edgecolor="0.4", alpha=0.8))
    # Same cell size as the input, so that the shrinking is visible.
    _grid_axes(ax_out, padded, padded)
    dropped = size - int(covered[padding : padding + size].sum())
    note = f"\nlast {dropped} row(s)/column(s) never covered" if dropped else ""
    ax_out.set_title(f"output {out}x{out}{note}", fontsize=9,
                     color="tab:red" if dropped else "black")
    return fig


def _grid_axes(ax, rows, cols):
    ax.set_xlim(0, cols)
    ax.set_ylim(rows, 0)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def plot_feature_maps(maps, titles=None, ncols=4, cmap="gray", symmetric=False, size=2.2):
    """Show each channel of ``(H, W, C)`` feature maps (or a list of 2-D arrays) as an image.

    Args:
        maps: an ``(H, W, C)`` array or a sequence of 2-D arrays.
        titles: one title per map, or ``None``.
        ncols: panels per row.
        cmap: colour map; ``symmetric=True`` centres it on zero, so that positive
            and negative responses (an edge from dark to light, or light to dark)
            look different.
        size: inches per panel.

    Returns:
        The matplotlib figure.
    """
    if isinstance(maps, np.ndarray) and maps.ndim == 3:
        panels = [maps[:, :, k] for k in range(maps.shape[-1])]
    else:
        panels = [np.asarray(m) for m in maps]
    if not panels or any(p.ndim != 2 for p in panels):
        raise ValueError("maps must be an (H, W, C) array or a non-empty list of 2-D arrays")
    if titles is not None and len(titles) != len(panels):
        raise ValueError(f"titles must have {len(panels)} entries, got {len(titles)}")
    ncols = min(positive_int(ncols, "ncols"), len(panels))
    nrows = -(-len(panels) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows), squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index >= len(panels):
            continue
        panel = panels[index]
        if symmetric:
            limit = float(np.abs(panel).max()) or 1.0
            ax.imshow(panel, cmap=cmap, vmin=-limit, vmax=limit)
        else:
            ax.imshow(panel, cmap=cmap)
        if titles is not None:
            ax.set_title(titles[index], fontsize=9)
    fig.tight_layout()
    return fig


def plot_array(values, ax=None, title=None, fmt="{:g}", highlight=None, bold=None, cmap="Blues"):
    """Draw a small 2-D array as a table of coloured, annotated cells.

    Args:
        values: a 2-D array.
        ax: the axes to draw on; a new figure when ``None``.
        title: axes title.
        fmt: format of each annotation.
        highlight: optional 2-D integer array of the same shape; cells with the same
            number get the same outline colour (used to show pooling windows).
        bold: optional boolean array of the same shape; those cells' numbers are bold.
        cmap: colour map of the cell shading.

    Returns:
        The axes.
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"values must be a 2-D array, got shape {values.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(0.5 * values.shape[1] + 0.5, 0.5 * values.shape[0] + 0.5))
    norm = mcolors.Normalize(values.min(), values.max() if values.max() > values.min() else values.min() + 1)
    shade = plt.get_cmap(cmap)
    for (r, c), value in np.ndenumerate(values):
        ax.add_patch(Rectangle((c, r), 1, 1, facecolor=shade(0.15 + 0.6 * norm(value)),
                               edgecolor="0.5", linewidth=0.8))
        weight = "bold" if bold is not None and bold[r, c] else "normal"
        ax.text(c + 0.5, r + 0.5, fmt.format(value), ha="center", va="center", fontsize=9,
                fontweight=weight)
    if highlight is not None:
        highlight = np.asarray(highlight)
        for (r, c), group in np.ndenumerate(highlight):
            color = WINDOW_COLORS[int(group) % len(WINDOW_COLORS)]
            ax.add_patch(Rectangle((c + 0.05, r + 0.05), 0.9, 0.9, fill=False,
                                   edgecolor=color, linewidth=2.5))
    _grid_axes(ax, *values.shape)
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_pooling(x, pool_size=2):
    """Max and average pooling of a small 2-D array with non-overlapping windows, side by side.

    The input's windows are outlined in colour; each output cell sits where its
    window's colour says. The pooled values come from :mod:`cnnlab.reference`.

    Args:
        x: a small 2-D array whose sides are multiples of ``pool_size``.
        pool_size: side of the square window (the stride equals it).

    Returns:
        The matplotlib figure.
    """
    from cnnlab import reference

    x = np.asarray(x, dtype=float)
    pool = positive_int(pool_size, "pool_size")
    if x.ndim != 2 or x.shape[0] % pool or x.shape[1] % pool:
        raise ValueError(
            f"x must be a 2-D array with sides that are multiples of pool_size={pool}, "
            f"got shape {x.shape}"
        )
    rows, cols = x.shape[0] // pool, x.shape[1] // pool
    groups = np.arange(rows * cols).reshape(rows, cols)
    fig, axes = plt.subplots(1, 3, figsize=(9, 3.2), gridspec_kw={"width_ratios": [2, 1, 1]})
    maxima = reference.max_pool2d(x, pool)
    winners = x == np.kron(maxima, np.ones((pool, pool)))
    plot_array(x, axes[0], f"input {x.shape[0]}x{x.shape[1]} (bold: each window's max)",
               highlight=np.kron(groups, np.ones((pool, pool), int)), bold=winners)
    plot_array(maxima, axes[1], f"max pool {pool}x{pool}", highlight=groups)
    plot_array(reference.avg_pool2d(x, pool), axes[2], f"average pool {pool}x{pool}",
               fmt="{:.2f}", highlight=groups)
    fig.tight_layout()
    return fig
