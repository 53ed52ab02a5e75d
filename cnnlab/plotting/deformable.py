"""Where a (deformable) convolution reads its input, drawn over the image."""

import matplotlib.pyplot as plt
import numpy as np


def plot_sampling_points(image, positions, ax=None, title=None, scale=1.0, shift=0.0,
                         colors=("tab:red", "tab:cyan", "tab:orange", "tab:green")):
    """Draw the sampling points of a few output pixels over an image.

    Args:
        image: ``(H, W)`` or ``(H, W, 3)`` array.
        positions: ``(outputs, points, 2)`` sampling positions as ``(row, column)``
            in the coordinates of the layer's input, e.g. a slice of
            :func:`cnnlab.layers.deformable.sampling_positions`.
        ax: matplotlib axes; a new figure when ``None``.
        title: axes title.
        scale, shift: map layer-input coordinates to image pixels,
            ``pixel = scale * position + shift`` (a layer behind strided layers
            sees the image ``scale`` pixels per step).
        colors: one colour per output pixel, cycled.

    Returns:
        The axes.
    """
    positions = np.asarray(positions, dtype=float)
    if positions.ndim != 3 or positions.shape[-1] != 2:
        raise ValueError(f"positions must have shape (outputs, points, 2), got {positions.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(3.2, 3.2))
    ax.imshow(image, cmap="gray" if np.ndim(image) == 2 else None)
    pixels = scale * positions + shift
    for index, points in enumerate(pixels):
        color = colors[index % len(colors)]
        ax.scatter(points[:, 1], points[:, 0], s=18, color=color, edgecolors="black", linewidths=0.5)
        centre = points[len(points) // 2]
        ax.scatter([centre[1]], [centre[0]], s=60, marker="+", color="black")
    height, width = np.shape(image)[:2]
    ax.set_xlim(-0.5, width - 0.5)
    ax.set_ylim(height - 0.5, -0.5)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=9)
    return ax
