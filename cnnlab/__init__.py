"""cnnlab: the library behind the cnnlab course on convolutional neural networks.

Importing ``cnnlab`` is cheap and never imports TensorFlow: submodules load on
first attribute access (``cnnlab.layers``), so ``cnnlab.shapes`` and the
exercise tools stay usable without a deep-learning stack.
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
    "metrics",
    "models",
    "notebook",
    "plotting",
    "pretrained",
    "reference",
    "retrieval",
    "release",
    "shapes",
    "training",
    "transfer",
    "widgets",
    "workspace",
)

__all__ = ["__version__", *_SUBMODULES]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_SUBMODULES))
