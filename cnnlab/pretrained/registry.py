"""Recipes of the course's shipped checkpoints, and the cards that describe them.

A :class:`Recipe` is everything needed to rebuild a checkpoint from nothing: the
architecture (``build``), the data (``data``, seeded), the training (``fit``, whose
budget ``scale`` multiplies), and the metric its card reports. Each recipe lives in
its own module of ``cnnlab/pretrained/recipes/`` and calls :func:`register` once.
"""

import hashlib
import numbers
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .._checks import fraction

WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"
METRICS = ("accuracy", "mean_iou")
_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_RECIPES = {}


class CheckpointNotAvailableError(FileNotFoundError):
    """A registered checkpoint's weights are not shipped (or not in the given folder)."""


@dataclass(frozen=True)
class Recipe:
    """How one checkpoint is built, trained and scored.

    Attributes:
        name: lower-case words joined by hyphens, e.g. ``"resnet20-digits"``; the
            weights are ``<name with underscores>.weights.h5`` in ``cnnlab/weights``.
        description: one sentence for the card: the model and what it learnt.
        data_source: the call that makes the data, as the card shows it
            (``"cnnlab.data.digits(image_size=32, seed=0)"``).
        build: ``build() -> keras.Model``, uncompiled, the same architecture every call.
        data: ``data() -> cnnlab.data.Split``: seeded arrays; ``y`` holds class indices
            (per image, or per pixel for segmentation).
        fit: ``fit(model, split, scale) -> dict``: compile and train ``model`` in place
            with a budget multiplied by ``scale`` (use :func:`scaled`); returns the
            hyperparameters to record (optimizer, learning rate, epochs, batch size ...).
        metric: ``"accuracy"`` (arg-max of the output against ``y_test``), ``"mean_iou"``
            (per-pixel arg-max, :func:`cnnlab.metrics.mean_iou`), or a function
            ``(model, split) -> float``.
        metric_name: the card's name of a function metric.
        tolerance: how far :func:`cnnlab.pretrained.evaluate` may be from the card's
            value on another backend or machine (absolute).
        seed: seeds Python, NumPy and Keras before ``data`` and ``build``.
        test_scale: the ``scale`` at which the test suite runs the recipe (seconds).
        details: ``details(split) -> dict`` of extra card fields (input shape, classes).
    """

    name: str
    description: str
    data_source: str
    build: object
    data: object
    fit: object
    metric: object = "accuracy"
    metric_name: str = None
    tolerance: float = 0.01
    seed: int = 0
    test_scale: float = 0.05
    details: object = field(default=None)

    @property
    def stem(self):
        return self.name.replace("-", "_")

    @property
    def metric_label(self):
        return self.metric if isinstance(self.metric, str) else self.metric_name

    def score(self, model, split):
        """The recipe's metric of ``model`` on the test split."""
        from .. import metrics

        if callable(self.metric):
            return float(self.metric(model, split))
        predicted = np.argmax(model.predict(split.x_test, batch_size=256, verbose=0), axis=-1)
        if self.metric == "accuracy":
            return float(np.mean(predicted == np.asarray(split.y_test)))
        return metrics.mean_iou(np.asarray(split.y_test), predicted, len(split.class_names))


def register(recipe):
    """Add a recipe to the registry (once per name); returns it."""
    if not isinstance(recipe, Recipe):
        raise TypeError(f"recipe must be a cnnlab.pretrained.Recipe, got {type(recipe).__name__}")
    if not isinstance(recipe.name, str) or not _NAME.match(recipe.name):
        raise ValueError(f"recipe name must be lower-case words joined by '-', got {recipe.name!r}")
    if recipe.name in _RECIPES and _RECIPES[recipe.name] is not recipe:
        raise ValueError(f"a recipe named {recipe.name!r} is already registered")
    for attribute in ("description", "data_source"):
        if not isinstance(getattr(recipe, attribute), str) or not getattr(recipe, attribute):
            raise ValueError(f"recipe {recipe.name!r}: {attribute} must be a non-empty str")
    for attribute in ("build", "data", "fit"):
        if not callable(getattr(recipe, attribute)):
            raise TypeError(f"recipe {recipe.name!r}: {attribute} must be a function")
    if not callable(recipe.metric) and recipe.metric not in METRICS:
        raise ValueError(f"recipe {recipe.name!r}: metric must be one of {METRICS} or a function")
    if callable(recipe.metric) and not recipe.metric_name:
        raise ValueError(f"recipe {recipe.name!r}: a metric function needs a metric_name")
    fraction(recipe.tolerance, "tolerance", low=0.0, high=1.0)
    fraction(recipe.test_scale, "test_scale", low=0.0, high=1.0, low_open=True)
    _RECIPES[recipe.name] = recipe
    return recipe


def unregister(name):
    """Remove a recipe (tests register temporary ones)."""
    _RECIPES.pop(name, None)


def registered():
    """Every registered recipe, by name."""
    _load_recipes()
    return dict(sorted(_RECIPES.items()))


def get(name):
    """The recipe called ``name``; a ``ValueError`` lists the known ones."""
    known = registered()
    if name not in known:
        raise ValueError(f"name must be a registered checkpoint, one of {sorted(known)}; got {name!r}")
    return known[name]


def _load_recipes():
    """Import every module of ``cnnlab.pretrained.recipes``: each registers its recipe."""
    import importlib
    import pkgutil

    package = importlib.import_module(f"{__package__}.recipes")
    for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        importlib.import_module(f"{package.__name__}.{module.name}")


def scaled(value, scale):
    """``value`` (epochs, steps, images) times ``scale``, rounded, at least 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"value must be an int >= 1, got {value!r}")
    scale = fraction(scale, "scale", low=0.0, high=1000.0, low_open=True)
    return max(1, int(round(value * scale)))


def paths(name, weights_dir=None):
    """``(weights file, card file)`` of a checkpoint, in ``weights_dir`` or the package."""
    stem = get(name).stem
    folder = WEIGHTS_DIR if weights_dir is None else Path(weights_dir)
    return folder / f"{stem}.weights.h5", folder / f"{stem}.json"


def weights_digest(model):
    """SHA-256 of every weight's float32 bytes, in ``model.weights`` order: equal
    digests mean bit-identical weights, whatever the file format or backend."""
    import keras

    digest = hashlib.sha256()
    for variable in model.weights:
        digest.update(np.ascontiguousarray(keras.ops.convert_to_numpy(variable), dtype=np.float32).tobytes())
    return digest.hexdigest()


def versions():
    """Library versions a card records."""
    import importlib
    import platform

    import keras

    from .. import __version__

    backend = keras.backend.backend()
    return {
        "python": platform.python_version(),
        "cnnlab": __version__,
        "keras": keras.__version__,
        "backend": backend,
        backend: importlib.import_module(backend).__version__,  # the backend's module has its name
        "numpy": np.__version__,
    }
