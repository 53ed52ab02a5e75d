"""Training figures: learning curves and results tables drawn as annotated grids."""

import matplotlib.pyplot as plt
import numpy as np


def plot_learning_curves(curves, metric="val_accuracy", ax=None, title=None, xlabel="optimizer steps"):
    """One line per run: ``metric`` against training steps.

    Args:
        curves: dict from a label to a history dict with a "step" list and a
            ``metric`` list (what ``cnnlab.training.fit_steps`` returns), or to
            a Keras ``History`` (then x is the epoch).
        metric: the history key to draw.
        ax: axes to draw on; a new figure when None.
        title: axes title.
        xlabel: x-axis label.

    Returns:
        The matplotlib figure.
    """
    if not isinstance(curves, dict) or not curves:
        raise ValueError("curves must be a non-empty dict from label to history")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.0, 3.6))
    for label, history in curves.items():
        history = getattr(history, "history", history)
        if metric not in history:
            raise ValueError(f"metric {metric!r} is not in the history of {label!r} (keys: {sorted(history)})")
        values = history[metric]
        steps = history.get("step", range(1, len(values) + 1))
        ax.plot(list(steps), values, marker="o", markersize=3, label=label)
    ax.set_xlabel(xlabel if any("step" in getattr(h, "history", h) for h in curves.values()) else "epoch")
    ax.set_ylabel(metric.replace("_", " "))
    ax.grid(True, alpha=0.3)
    ax.legend(frameon=False)
    if title:
        ax.set_title(title)
    return ax.figure


def plot_results_table(values, row_labels, col_labels, ax=None, title=None, fmt="{:.2f}", cmap="Greens",
                       vmin=0.0, vmax=1.0):
    """A results table as a coloured grid, each row's best value in bold.

    Args:
        values: (rows, cols) array of scores (higher is better).
        row_labels, col_labels: labels of the rows and columns.
        ax: axes to draw on; a new figure when None.
        title: axes title.
        fmt: format of the numbers written in the cells.
        cmap, vmin, vmax: colour scale.

    Returns:
        The matplotlib figure.
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 2 or values.shape != (len(row_labels), len(col_labels)):
        raise ValueError(f"values must have shape ({len(row_labels)}, {len(col_labels)}), got {values.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(1.6 * len(col_labels) + 2.0, 0.6 * len(row_labels) + 1.2))
    ax.imshow(values, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto")
    best = np.nanargmax(values, axis=1)
    for r in range(values.shape[0]):
        for c in range(values.shape[1]):
            ax.text(c, r, fmt.format(values[r, c]), ha="center", va="center",
                    fontweight="bold" if c == best[r] else "normal")
    ax.set_xticks(range(len(col_labels)), col_labels)
    ax.set_yticks(range(len(row_labels)), row_labels)
    ax.tick_params(length=0)
    ax.xaxis.tick_top()
    if title:
        ax.set_title(title, pad=24)
    ax.figure.tight_layout()
    return ax.figure
