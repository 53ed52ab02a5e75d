"""Detection figures: boxes drawn on images, and a heatmap beside its image."""

import matplotlib.patches as patches
import matplotlib.pyplot as plt
import numpy as np


def _draw_boxes(ax, boxes, colour, scores=None, style="-"):
    for k, (x0, y0, x1, y1) in enumerate(np.asarray(boxes, dtype=float).reshape(-1, 4)):
        # Pixel (i, j) is drawn centred on (j, i): box edges sit half a pixel left and up.
        ax.add_patch(patches.Rectangle((x0 - 0.5, y0 - 0.5), x1 - x0, y1 - y0, fill=False,
                                       edgecolor=colour, linewidth=1.6, linestyle=style))
        if scores is not None:
            ax.text(x0 - 0.5, y0 - 1.0, f"{scores[k]:.2f}", color=colour, fontsize=7, va="bottom",
                    bbox={"facecolor": "black", "alpha": 0.5, "pad": 0.5, "linewidth": 0})


def plot_detections(images, truth=None, boxes=None, scores=None, *, titles=None, ncols=4, size=2.2,
                    truth_colour="lime", box_colour="red"):
    """Images with their true boxes (dashed) and predicted boxes (solid, with scores).

    Args:
        images: ``(n, H, W, C)`` images in [0, 1].
        truth: optional list of ``(t_i, 4)`` "xyxy" true boxes per image.
        boxes: optional list of ``(m_i, 4)`` "xyxy" predicted boxes per image.
        scores: optional list of ``(m_i,)`` scores, printed at each predicted box.
        titles: optional list of titles.
        ncols: images per row.
        size: inches per image.

    Returns:
        The matplotlib figure.
    """
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(f"images must be (n, H, W, C), got shape {images.shape}")
    for name, value in (("truth", truth), ("boxes", boxes), ("scores", scores), ("titles", titles)):
        if value is not None and len(value) != len(images):
            raise ValueError(f"{name} must have one entry per image ({len(images)}), got {len(value)}")
    rows = -(-len(images) // ncols)
    fig, axes = plt.subplots(rows, ncols, figsize=(size * ncols, size * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for i, ax in enumerate(axes.flat[:len(images)]):
        ax.imshow(images[i].squeeze(), vmin=0, vmax=1)
        if truth is not None:
            _draw_boxes(ax, truth[i], truth_colour, style="--")
        if boxes is not None:
            _draw_boxes(ax, boxes[i], box_colour, None if scores is None else scores[i])
        if titles is not None:
            ax.set_title(titles[i], fontsize=8)
    fig.tight_layout()
    return fig


def plot_heatmap(image, heatmap, *, truth=None, title="heatmap", size=3.0):
    """An image beside a centre heatmap (e.g. CenterNet's target or prediction), same extent.

    Args:
        image: ``(H, W, C)`` image.
        heatmap: ``(h, w)`` values in [0, 1] at the detector's stride.
        truth: optional ``(t, 4)`` boxes drawn on the image and their centres on the map.
        title: the heatmap's title.
        size: inches per panel.

    Returns:
        The matplotlib figure.
    """
    image, heatmap = np.asarray(image), np.asarray(heatmap)
    if heatmap.ndim != 2:
        raise ValueError(f"heatmap must be 2-D (h, w), got shape {heatmap.shape}")
    fig, (left, right) = plt.subplots(1, 2, figsize=(2 * size, size))
    left.imshow(image.squeeze(), vmin=0, vmax=1)
    height, width = image.shape[:2]
    right.imshow(heatmap, vmin=0, vmax=1, cmap="magma", extent=(-0.5, width - 0.5, height - 0.5, -0.5))
    if truth is not None:
        _draw_boxes(left, truth, "lime", style="--")
        centres = np.asarray(truth, dtype=float).reshape(-1, 4)
        right.scatter((centres[:, 0] + centres[:, 2]) / 2 - 0.5, (centres[:, 1] + centres[:, 3]) / 2 - 0.5,
                      marker="+", color="cyan", s=40)
    left.set_title("image and boxes", fontsize=9)
    right.set_title(title, fontsize=9)
    for ax in (left, right):
        ax.axis("off")
    fig.tight_layout()
    return fig
