"""cnnlab: the library behind the cnnlab course on convolutional neural networks.

Importing ``cnnlab`` is cheap and never imports TensorFlow: submodules load on
first attribute access (``cnnlab.layers``), so ``cnnlab.shapes`` and the
exercise tools stay usable without a deep-learning stack. Saved ``.keras``
files with cnnlab's layers still load with ``keras.models.load_model`` after
``import cnnlab``: :mod:`cnnlab.saving` registers the layers as soon as Keras
is imported (before or after cnnlab).
"""

import importlib

__version__ = "0.1.0"

_SUBMODULES = (
    "cam",
    "backend",
    "course",
    "data",
    "deconv",
    "detection",
    "exercises",
    "grading",
    "layers",
    "layerwise_lr",
    "metrics",
    "models",
    "notebook",
    "plotting",
    "pretrained",
    "reference",
    "retrieval",
    "release",
    "saving",
    "shapes",
    "training",
    "transfer",
    "widgets",
    "workspace",
)

__all__ = ["__version__", "load_model", *_SUBMODULES]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_SUBMODULES))



# Last, so that registering (when Keras is already imported) sees a whole package.
from .saving import install as _install, load_model  # noqa: E402  (imports no Keras)

_install()
