"""Trained weights for lessons 14 and 15, shipped in ``cnnlab/weights`` with their cards.

Each checkpoint is a ``NAME.weights.h5`` file and a ``NAME.json`` card: what it was
trained on, how (the recipe in ``tools/`` that reproduces it, one command), the
metric the lesson reports, and a SHA-256 digest of the weight values.

- ``densenet-mini-digits``: DenseNet-mini pre-trained on digits 0-4 at 32x32
  (``tools/train_densenet_mini.py --source digits``); lesson 14's backbone.
- ``densenet-mini-shapes``: DenseNet-mini pre-trained to classify single shapes
  (circle, square, triangle, cross) at 32x32 (``--source shapes``); lesson 15's.
- ``centernet-triangles-frozen`` / ``-finetuned`` / ``-scratch``: CenterNet
  detectors of triangles in :func:`cnnlab.data.scenes`, on the shapes backbone
  frozen, fine-tuned at 1e-4, or trained from a random start
  (``tools/train_detectors.py``).
"""

import hashlib
import json
from pathlib import Path

import numpy as np

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
NAMES = ("densenet-mini-digits", "densenet-mini-shapes", "centernet-triangles-frozen",
         "centernet-triangles-finetuned", "centernet-triangles-scratch")


def _check_name(name):
    if name not in NAMES:
        raise ValueError(f"name must be one of {NAMES}, got {name!r}")
    return name


def paths(name):
    """``(weights_file, card_file)`` of a checkpoint."""
    stem = _check_name(name).replace("-", "_")
    return WEIGHTS_DIR / f"{stem}.weights.h5", WEIGHTS_DIR / f"{stem}.json"


def card(name):
    """The card of a shipped checkpoint: data, recipe, training settings, metrics, digest."""
    return json.loads(paths(name)[1].read_text())


def build(architecture):
    """An untrained model from a card's ``"architecture"`` entry."""
    from . import detection
    from .models import densenet_mini

    kind = architecture.get("builder")
    if kind == "densenet_mini":
        return densenet_mini(**_shape(architecture["config"]))
    if kind == "centernet":
        backbone = densenet_mini(**_shape(architecture["backbone"]))
        return detection.centernet(backbone, feature_layer=architecture["feature_layer"],
                                   head_channels=architecture["head_channels"])
    raise ValueError(f"unknown builder {kind!r} in a checkpoint card (known: 'densenet_mini', 'centernet')")


def _shape(config):
    config = dict(config)
    config["input_shape"] = tuple(config["input_shape"])
    config["block_layers"] = tuple(config.get("block_layers", (3, 3, 3)))
    return config


def load(name, *, weights=True):
    """The shipped model, with its trained weights (``weights=False``: freshly initialised)."""
    model = build(card(name)["architecture"])
    if weights:
        model.load_weights(paths(name)[0])
    return model


def weights_digest(model):
    """SHA-256 of every weight's float32 bytes, in ``model.weights`` order."""
    import keras

    digest = hashlib.sha256()
    for variable in model.weights:
        digest.update(np.ascontiguousarray(keras.ops.convert_to_numpy(variable), dtype=np.float32).tobytes())
    return digest.hexdigest()


def save(model, name, card_entries, out_dir=None):
    """Write ``model``'s weights and its card (with the digest) as checkpoint ``name``.

    The weights are written from an uncompiled copy built from the card's
    architecture, so that no optimizer state is shipped.
    """
    weights_file, card_file = paths(name)
    out_dir = Path(out_dir) if out_dir is not None else WEIGHTS_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    clean = build(card_entries["architecture"])
    clean.set_weights(model.get_weights())
    clean.save_weights(out_dir / weights_file.name)
    entries = {"name": name, **card_entries, "weights_sha256": weights_digest(model)}
    (out_dir / card_file.name).write_text(json.dumps(entries, indent=2) + "\n")
    return entries
