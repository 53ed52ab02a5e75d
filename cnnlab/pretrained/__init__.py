"""Trained weights of the course's small models, shipped inside cnnlab, with the
seeded recipe that reproduces each one.

A lesson whose point needs more training than a minute of CPU loads a checkpoint;
``TRAIN = True`` at its top retrains it live instead::

    model = cnnlab.pretrained.load("cnnlab-mini", retrain=TRAIN)
    cnnlab.pretrained.card("cnnlab-mini")["metric"]    # {'name': 'accuracy', 'value': 1.0, ...}
    cnnlab.pretrained.evaluate("cnnlab-mini")          # recomputed on the test split

Every checkpoint ``NAME`` has a recipe (``cnnlab/pretrained/recipes/NAME.py``), weights
(``cnnlab/weights/NAME.weights.h5``, loadable on every Keras backend) and a card
(``cnnlab/weights/NAME.json``: data, seed, training hyperparameters, the test metric,
training seconds, library versions, a digest of the weights). One command rebuilds the
weights and the card::

    python -m cnnlab.pretrained train NAME            # or: python tools/train_checkpoint.py NAME
"""

import json
import os
import platform
import time
from typing import NamedTuple

from .._checks import boolean, fraction
from .registry import (WEIGHTS_DIR, CheckpointNotAvailableError, Recipe, get, paths, register, registered,
                       scaled, unregister, versions, weights_digest)

__all__ = ["CheckpointNotAvailableError", "Recipe", "TrainedCheckpoint", "WEIGHTS_DIR", "card", "evaluate",
           "get", "load", "names", "paths", "register", "registered", "scaled", "shipped", "train", "unregister",
           "weights_digest"]


class TrainedCheckpoint(NamedTuple):
    """What :func:`train` returns: the trained ``model`` and its ``card`` (a dict)."""

    model: object
    card: dict


def names():
    """Names of every registered checkpoint, sorted."""
    return tuple(registered())


def shipped():
    """Names of the checkpoints whose weights and card ship with the package."""
    return tuple(name for name in names() if all(p.exists() for p in paths(name)))


def card(name, weights_dir=None):
    """The card of a checkpoint: a dict read from its JSON file.

    Keys: ``name``, ``description``, ``data`` (what ``recipe.data()`` returned: train
    and test sizes, classes), ``training`` (seed, scale and the recipe's
    hyperparameters), ``metric`` (``name``, ``split``, ``value``, ``tolerance``),
    ``train_seconds`` (wall clock of ``fit`` on the machine in ``machine``),
    ``versions``, ``weights`` (file name, bytes, ``sha256`` of the values), plus the
    recipe's own details.
    """
    _, card_file = paths(name, weights_dir)
    if not card_file.exists():
        raise CheckpointNotAvailableError(_missing(name, card_file))
    return json.loads(card_file.read_text())


def load(name, *, weights_dir=None, retrain=False, scale=1.0):
    """The checkpoint's model with its trained weights (uncompiled, like ``keras.applications``).

    Args:
        name: a registered checkpoint (see :func:`names`).
        weights_dir: folder holding ``<stem>.weights.h5``; the package's by default.
        retrain: train it now with its recipe instead of loading (a notebook's
            ``TRAIN = True``); nothing is written to disk.
        scale: training budget factor when ``retrain`` is True.

    Raises:
        CheckpointNotAvailableError: the weights are not there; the message gives the
            command that makes them.
    """
    if boolean(retrain, "retrain"):
        return train(name, scale=scale).model
    recipe = get(name)
    weights_file, _ = paths(name, weights_dir)
    if not weights_file.exists():
        raise CheckpointNotAvailableError(_missing(name, weights_file))
    model = recipe.build()
    model.load_weights(weights_file)
    return model


def evaluate(name, model=None, *, weights_dir=None):
    """Recompute the card's metric on the recipe's test split (the shipped model by default)."""
    recipe = get(name)
    from ..notebook import seed_everything

    seed_everything(recipe.seed)
    split = recipe.data()
    return recipe.score(load(name, weights_dir=weights_dir) if model is None else model, split)


def train(name, scale=1.0, *, out=None):
    """Run a checkpoint's recipe: seed, build, fit, score; optionally write the files.

    Args:
        name: a registered checkpoint.
        scale: multiplies the training budget (``0.05`` for a quick check; the card
            records it). Shipped checkpoints are trained at ``scale=1``.
        out: folder to write ``<stem>.weights.h5`` and ``<stem>.json`` into (created if
            needed), or None to write nothing.

    Returns:
        :class:`TrainedCheckpoint` ``(model, card)``.
    """
    from ..notebook import seed_everything

    recipe = get(name)
    scale = fraction(scale, "scale", low=0.0, high=1000.0, low_open=True)
    seed_everything(recipe.seed)
    split = recipe.data()
    model = recipe.build()
    start = time.perf_counter()
    hyperparameters = recipe.fit(model, split, scale)
    seconds = time.perf_counter() - start
    value = recipe.score(model, split)
    result = {
        "name": recipe.name,
        "description": recipe.description,
        "data": {"source": recipe.data_source, "train_size": int(len(split.y_train)), "test_size": int(len(split.y_test)),
                 "class_names": [str(c) for c in split.class_names]},
        "training": {"seed": recipe.seed, "scale": scale, **(hyperparameters or {})},
        "metric": {"name": recipe.metric_label, "split": "test", "value": round(value, 4),
                   "tolerance": recipe.tolerance},
        "train_seconds": round(seconds, 1),
        "machine": {"cpu_count": os.cpu_count(), "processor": platform.machine()},
        "versions": versions(),
        **(recipe.details(split) if recipe.details else {}),
        "weights": {"file": f"{recipe.stem}.weights.h5", "sha256": weights_digest(model)},
    }
    if out is not None:
        weights_file, card_file = paths(name, out)
        weights_file.parent.mkdir(parents=True, exist_ok=True)
        # A fresh, uncompiled copy: the file then holds the layers' weights only, not
        # the optimizer's state (two thirds of the bytes for Adam).
        clean = recipe.build()
        clean.set_weights(model.get_weights())
        clean.save_weights(weights_file)
        result["weights"]["bytes"] = weights_file.stat().st_size
        card_file.write_text(json.dumps(result, indent=2) + "\n")
    return TrainedCheckpoint(model, result)


def _missing(name, path):
    return (f"checkpoint {name!r} has no file {path}. Train it with\n"
            f"    python -m cnnlab.pretrained train {name}\n"
            f"(it writes the weights and the card into cnnlab/weights), or load it from another "
            f"folder with weights_dir=.")
