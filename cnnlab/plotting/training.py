"""Training figures: learning curves (with their spread over seeds) and results tables
drawn as annotated grids."""

from typing import NamedTuple

import matplotlib.pyplot as plt
import numpy as np

from .._checks import choice


class Spread(NamedTuple):
    """Several runs of one curve: ``steps`` and, per step, the ``mean``, ``low`` and
    ``high`` over the runs (the range, or mean -/+ one standard deviation), and ``runs``
    (the values, one row per run)."""

    steps: np.ndarray
    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray
    runs: np.ndarray


def _history(history, metric, label):
    history = getattr(history, "history", history)
    if not isinstance(history, dict) or metric not in history:
        keys = sorted(history) if isinstance(history, dict) else type(history).__name__
        raise ValueError(f"metric {metric!r} is not in the history of {label!r} (keys: {keys})")
    values = np.asarray(history[metric], dtype=float)
    steps = np.asarray(history.get("step", np.arange(1, len(values) + 1)))
    return steps, values


def spread(histories, metric="val_accuracy", band="range"):
    """Mean and spread of one metric over several runs (seeds) of the same experiment.

    Args:
        histories: a list of histories (dicts with a ``metric`` list and optionally
            "step", as ``cnnlab.training.fit_steps`` returns, or Keras ``History``
            objects), recorded at the same steps.
        metric: the history key.
        band: ``"range"`` (min to max over the runs) or ``"std"`` (mean -/+ one
            standard deviation).

    Returns:
        :class:`Spread`. Two experiments *separate* at a step when one's ``low`` is
        above the other's ``high`` there.
    """
    choice(band, "band", ("range", "std"))
    if isinstance(histories, dict) or not isinstance(histories, (list, tuple)) or not histories:
        raise ValueError("histories must be a non-empty list of histories (one per run)")
    curves = [_history(h, metric, f"run {k}") for k, h in enumerate(histories)]
    steps = curves[0][0]
    for k, (other, values) in enumerate(curves):
        if len(other) != len(steps) or not np.array_equal(other, steps):
            raise ValueError(f"every run must be recorded at the same steps; run {k} differs from run 0")
    runs = np.stack([values for _, values in curves])
    mean = runs.mean(axis=0)
    if band == "range":
        low, high = runs.min(axis=0), runs.max(axis=0)
    else:
        deviation = runs.std(axis=0)
        low, high = mean - deviation, mean + deviation
    return Spread(steps, mean, low, high, runs)


def plot_learning_curves(curves, metric="val_accuracy", ax=None, title=None, xlabel="optimizer steps",
                         band="range"):
    """One line per experiment: ``metric`` against training steps.

    Args:
        curves: dict from a label to a history dict with a "step" list and a
            ``metric`` list (what ``cnnlab.training.fit_steps`` returns), or to
            a Keras ``History`` (then x is the epoch), or to a *list* of such
            histories, one per seed: then the line is their mean and a shaded band
            their spread (:func:`spread`).
        metric: the history key to draw.
        ax: axes to draw on; a new figure when None.
        title: axes title.
        xlabel: x-axis label.
        band: spread of a list of runs: ``"range"`` (min to max) or ``"std"``.

    Returns:
        The matplotlib figure.
    """
    if not isinstance(curves, dict) or not curves:
        raise ValueError("curves must be a non-empty dict from label to history")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.0, 3.6))
    by_step = False
    for label, history in curves.items():
        if isinstance(history, (list, tuple)):
            runs = spread(history, metric, band)
            line, = ax.plot(runs.steps, runs.mean, marker="o", markersize=3,
                            label=f"{label} (mean of {len(runs.runs)}, {'min-max' if band == 'range' else '+/- 1 sd'})")
            ax.fill_between(runs.steps, runs.low, runs.high, color=line.get_color(), alpha=0.2, linewidth=0)
            by_step |= any("step" in getattr(h, "history", h) for h in history)
        else:
            steps, values = _history(history, metric, label)
            ax.plot(steps, values, marker="o", markersize=3, label=label)
            by_step |= "step" in getattr(history, "history", history)
    ax.set_xlabel(xlabel if by_step else "epoch")
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
