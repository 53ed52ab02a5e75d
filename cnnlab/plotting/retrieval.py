"""Similar-image search figures: queries with their nearest neighbours, and a 2-D map of an embedding."""

import matplotlib.pyplot as plt
import numpy as np


def plot_neighbours(queries, neighbours, *, query_labels=None, neighbour_labels=None, scores=None,
                    class_names=None, size=1.1):
    """One row per query: the query, then its neighbours best first; wrong labels framed red.

    Args:
        queries: ``(q, H, W, C)`` images.
        neighbours: ``(q, k, H, W, C)`` the retrieved images.
        query_labels, neighbour_labels: optional ``(q,)`` and ``(q, k)`` labels; a
            neighbour of another label than its query gets a red frame.
        scores: optional ``(q, k)`` similarities printed under each neighbour.
        class_names: optional names for the labels in the titles.
        size: inches per image.

    Returns:
        The matplotlib figure.
    """
    queries, neighbours = np.asarray(queries), np.asarray(neighbours)
    if queries.ndim != 4 or neighbours.ndim != 5 or len(queries) != len(neighbours):
        raise ValueError(f"queries must be (q, H, W, C) and neighbours (q, k, H, W, C), got shapes "
                         f"{queries.shape} and {neighbours.shape}")
    rows, k = neighbours.shape[:2]
    name = (lambda y: class_names[y]) if class_names is not None else str
    fig, axes = plt.subplots(rows, k + 1, figsize=(size * (k + 1.3), size * rows * 1.15), squeeze=False)
    for i in range(rows):
        axes[i, 0].imshow(queries[i].squeeze(), vmin=0, vmax=1)
        axes[i, 0].set_title("query" if query_labels is None else f"query: {name(query_labels[i])}", fontsize=7)
        for j in range(k):
            ax = axes[i, j + 1]
            ax.imshow(neighbours[i, j].squeeze(), vmin=0, vmax=1)
            if scores is not None:
                ax.set_title(f"{scores[i, j]:.2f}", fontsize=7)
            wrong = query_labels is not None and neighbour_labels is not None \
                and neighbour_labels[i, j] != query_labels[i]
            for spine in ax.spines.values():
                spine.set_edgecolor("red" if wrong else "none")
                spine.set_linewidth(2.5)
        for ax in axes[i]:
            ax.set_xticks([])
            ax.set_yticks([])
        for spine in axes[i, 0].spines.values():
            spine.set_edgecolor("black")
    fig.tight_layout()
    return fig


def plot_embedding_map(points, labels, class_names=None, *, ax=None, title=None):
    """A 2-D embedding (t-SNE, PCA, ...) as a scatter plot, one colour per class.

    Args:
        points: ``(n, 2)`` coordinates.
        labels: ``(n,)`` integer labels.
        class_names: optional names for the legend.
        ax: axes to draw on; a new figure when None.
        title: axes title.

    Returns:
        The matplotlib figure.
    """
    points, labels = np.asarray(points), np.asarray(labels)
    if points.ndim != 2 or points.shape[1] != 2 or labels.shape != (len(points),):
        raise ValueError(f"points must be (n, 2) and labels (n,), got shapes {points.shape} and {labels.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(4.2, 4.0))
    for label in np.unique(labels):
        chosen = labels == label
        ax.scatter(points[chosen, 0], points[chosen, 1], s=8, alpha=0.7,
                   label=class_names[label] if class_names is not None else str(label))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(frameon=False, fontsize=8, markerscale=2)
    if title:
        ax.set_title(title, fontsize=10)
    return ax.figure
