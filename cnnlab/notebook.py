"""One call that makes a course notebook reproducible and quiet, on any Keras backend.

Every notebook's first code cell is::

    import cnnlab.notebook
    cnnlab.notebook.setup(seed=0)

It must run before anything imports Keras or TensorFlow: TensorFlow's C++
logging and its oneDNN switch, and JAX's and cuBLAS' determinism flags, are
read from environment variables when those libraries start. The backend is
Keras' own choice (``KERAS_BACKEND``, e.g. ``make lab BACKEND=jax``); setup
only prepares it.
"""

import math
import os
import random
import sys

from . import backend as _backend

HEADLESS_ENV = "CNNLAB_HEADLESS"
BUDGET_ENV = "CNNLAB_BUDGET"

_budget = None


def _quiet_environment():
    if not os.environ.get("TF_CPP_MIN_LOG_LEVEL"):
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"


def _import_keras_silently():
    """Import Keras (and so its backend) with file descriptor 2 sent to /dev/null.

    TensorFlow 2.16+ logs through absl before ``TF_CPP_MIN_LOG_LEVEL`` takes
    effect ("All log messages before absl::InitializeLog() ...", CUDA
    notices). ipykernel forwards file-descriptor output into the cell, so
    without this the first cell of every notebook would differ between a CPU
    and a GPU machine.
    """
    if "keras" in sys.modules:
        return sys.modules["keras"]
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        if _backend.name() == "tensorflow":
            import tensorflow  # noqa: F401  (its C++ start-up notices go to /dev/null too)
        import keras
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    return keras


def is_headless():
    """True when the notebook runs without a browser (nbval, ``make course``).

    The Makefile and the test suite set ``CNNLAB_HEADLESS=1``; interactive
    widgets then render a static figure instead.
    """
    return os.environ.get(HEADLESS_ENV, "") not in ("", "0")


def _check_seed(seed):
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")


def seed_everything(seed):
    """Seed Python, NumPy and Keras (and through Keras, the backend's generators)."""
    _check_seed(seed)
    import numpy as np

    random.seed(seed)
    np.random.seed(seed)
    keras = _import_keras_silently()
    if _backend.name() == "tensorflow" or "tensorflow" in sys.modules:
        keras.utils.set_random_seed(seed)
        return
    # keras.utils.set_random_seed imports TensorFlow whenever it is installed
    # (to seed tf.data); without it, this is the rest of what it does.
    from keras.src.backend.common import global_state
    from keras.src.random import seed_generator
    from keras.src.utils import rng_utils

    global_state.set_global_attribute(rng_utils.GLOBAL_RANDOM_SEED, seed)
    global_state.set_global_attribute(seed_generator.GLOBAL_SEED_GENERATOR, None)
    if _backend.name() == "torch":
        import torch

        torch.manual_seed(seed)


def _check_budget(value, source):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{source} must be a finite number > 0 (1 is the CPU course), got {value!r}")
    return float(value)


def budget():
    """The training-length multiplier: ``setup(budget=...)``, else ``$CNNLAB_BUDGET``, else 1."""
    if _budget is not None:
        return _budget
    text = os.environ.get(BUDGET_ENV, "")
    if not text:
        return 1.0
    try:
        value = float(text)
    except ValueError:
        value = text
    return _check_budget(value, BUDGET_ENV)


def scaled(n, multiple=1):
    """``n`` epochs or steps scaled by the training budget, at least ``multiple``.

    Every lesson's training length is written for a 2-core CPU as
    ``cnnlab.notebook.scaled(600)``: with the default budget of 1 that is 600;
    on a GPU, ``CNNLAB_BUDGET=10 make lab`` (or ``setup(budget=10)``) trains
    ten times longer with the same notebook.

    Args:
        n: an int >= 1, the length at budget 1.
        multiple: round to a multiple of this int >= 1 (e.g. the number of
            evaluations ``fit_steps`` records, which must divide its steps).

    Returns:
        An int >= ``multiple``.
    """
    for value, argument in ((n, "n"), (multiple, "multiple")):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{argument} must be an int >= 1, got {value!r}")
    return max(1, round(n * budget() / multiple)) * multiple


def setup(seed=0, *, budget=None, deterministic=True, plots=True):
    """Prepare a notebook: quiet start-up, safe kernels, seeds, determinism, plot style.

    Works on TensorFlow, JAX and PyTorch (whichever Keras uses) and imports
    TensorFlow only when it is the backend.

    Args:
        seed: int seed for Python, NumPy and Keras (and through Keras, the backend).
        budget: training-length multiplier for :func:`scaled`, a number > 0;
            None reads ``$CNNLAB_BUDGET`` (default 1, the CPU course).
        deterministic: turn on the backend's deterministic kernels and turn
            off TensorFloat-32, so that a second run on the same machine
            computes the same numbers and a GPU agrees with the CPU to float32
            precision (slower on a GPU).
        plots: apply the course's matplotlib defaults.

    On x86-64 CPUs it also turns off the oneDNN convolution kernels that
    crash on a 1x1 stride-2 weight gradient (``cnnlab.backend.protect_native_kernels``).

    Returns nothing, so that the first cell's output is the same on every
    machine and backend; ``cnnlab.notebook.accelerator()`` tells which device is used.
    """
    global _budget
    _check_seed(seed)
    if budget is not None:
        budget = _check_budget(budget, "budget")
    _quiet_environment()
    _backend.protect_native_kernels()
    if deterministic:
        _backend.prepare_determinism()
    _import_keras_silently()
    _backend.protect_native_kernels()
    if _backend.name() == "tensorflow":
        import tensorflow as tf

        # Python-side TensorFlow warnings (e.g. retracing notices when a lesson
        # builds many small models) would land in cell outputs.
        tf.get_logger().setLevel("ERROR")
    seed_everything(seed)
    if deterministic:
        _backend.enable_determinism()
    _budget = budget
    if plots:
        _plot_defaults()


def accelerator():
    """The device Keras computes on: "GPU", "TPU" or "CPU", for any backend."""
    _import_keras_silently()
    backend = _backend.name()
    if backend == "tensorflow":
        import tensorflow as tf

        return "GPU" if tf.config.list_physical_devices("GPU") else "CPU"
    if backend == "jax":
        import jax

        platform = jax.default_backend()
        return {"gpu": "GPU", "cuda": "GPU", "rocm": "GPU", "tpu": "TPU"}.get(platform, "CPU")
    import torch

    return "GPU" if torch.cuda.is_available() or torch.backends.mps.is_available() else "CPU"


def _plot_defaults():
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "figure.figsize": (6.0, 4.0),
            "figure.dpi": 80,
            "image.cmap": "gray",
            "image.interpolation": "nearest",
            "axes.grid": False,
            "font.size": 10,
        }
    )
