"""Saved ``.keras`` files with cnnlab's layers load after ``import cnnlab``.

Keras finds a custom layer, loss, initializer or optimizer of a saved file by
the name it was registered under (``"cnnlab>DenseBlock"``), and only a module
that has been imported has registered anything. ``import cnnlab`` is lazy (the
exercise tools and ``cnnlab.shapes`` must work without TensorFlow), so it
cannot import the layers itself. Instead:

- if Keras is already imported, ``import cnnlab`` registers everything at once;
- if not, it installs :class:`_RegisterAfterKeras`, an import hook that
  registers everything the moment ``import keras`` finishes, and then removes
  itself (``sys.meta_path`` has no post-import hook of its own).

Neither order imports Keras earlier than the user does.

:func:`load_model` loads a file without relying on either: it registers
first, then calls ``keras.saving.load_model``.
"""

import importlib
import importlib.abc
import importlib.util
import sys
import warnings

# Every module that defines a @keras.saving.register_keras_serializable object
# (tests/test_saved_models_fresh_process.py checks that none is missing).
SERIALIZABLE_MODULES = (
    "cnnlab.layers",
    "cnnlab.models",
    "cnnlab.layerwise_lr",
    "cnnlab.retrieval.losses",
    "cnnlab.detection.losses",
)


def register_all():
    """Import every cnnlab module that registers Keras serializables (imports Keras)."""
    for module in SERIALIZABLE_MODULES:
        importlib.import_module(module)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):  # noqa: A002
    """``keras.saving.load_model`` with cnnlab's layers, losses and optimizers registered.

    Works whatever was imported first, and where the hook could not register
    (it warns then); the arguments are Keras'.
    """
    register_all()
    import keras

    return keras.saving.load_model(filepath, custom_objects=custom_objects, compile=compile,
                                   safe_mode=safe_mode)


class _LoaderThenRegister(importlib.abc.Loader):
    """Runs Keras' own loader, then registers cnnlab's serializables."""

    def __init__(self, loader, finder):
        self._loader = loader
        self._finder = finder

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        # Put Keras' own loader back (importlib.resources and reload use it) and
        # remove the hook: registering is needed once per process.
        module.__loader__ = module.__spec__.loader = self._loader
        if self._finder in sys.meta_path:
            sys.meta_path.remove(self._finder)
        try:
            register_all()
        except Exception as error:  # noqa: BLE001
            # Raising here would make importlib discard the fully imported keras
            # and fail the user's `import keras` for a cnnlab problem; say it instead.
            warnings.warn(f"cnnlab could not register its Keras layers ({error!r}); "
                          "use cnnlab.load_model to load .keras files that hold them",
                          RuntimeWarning, stacklevel=2)

    def __getattr__(self, name):
        return getattr(self._loader, name)


class _RegisterAfterKeras(importlib.abc.MetaPathFinder):
    """A ``sys.meta_path`` finder that wraps the loader of the ``keras`` package.

    It stays installed until Keras is actually executed: TensorFlow asks
    ``importlib.util.find_spec("keras")`` before importing it, and that lookup
    alone must not use the hook up.
    """

    def find_spec(self, fullname, path, target=None):
        if fullname != "keras":
            return None
        # The other finders (site-packages, editable installs) locate keras as usual.
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _LoaderThenRegister(spec.loader, self)
                return spec
        return None


def install():
    """Register now if Keras is imported, else once it is. Called by ``import cnnlab``."""
    if "keras" in sys.modules:
        register_all()
    elif not any(isinstance(finder, _RegisterAfterKeras) for finder in sys.meta_path):
        sys.meta_path.insert(0, _RegisterAfterKeras())
