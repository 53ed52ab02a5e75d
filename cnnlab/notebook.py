"""One call that makes a course notebook reproducible and quiet.

Every notebook's first code cell is::

    import cnnlab.notebook
    cnnlab.notebook.setup(seed=0)

It must run before anything imports TensorFlow, because TensorFlow's C++
logging is configured from environment variables read at import time.
"""

import os
import random
import sys

HEADLESS_ENV = "CNNLAB_HEADLESS"


def _quiet_environment():
    for name, value in (("KERAS_BACKEND", "tensorflow"), ("TF_CPP_MIN_LOG_LEVEL", "3")):
        if not os.environ.get(name):
            os.environ[name] = value


def _import_tensorflow_silently():
    """Import TensorFlow with file descriptor 2 sent to /dev/null.

    TensorFlow 2.16+ logs through absl before ``TF_CPP_MIN_LOG_LEVEL`` takes
    effect ("All log messages before absl::InitializeLog() ...", oneDNN and
    CUDA notices). ipykernel forwards file-descriptor output into the cell, so
    without this the first cell of every notebook would differ between a CPU
    and a GPU machine.
    """
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import tensorflow as tf
        import keras  # noqa: F401  (loads the backend while stderr is closed)
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    return tf


def is_headless():
    """True when the notebook runs without a browser (nbval, ``make course``).

    The Makefile and the test suite set ``CNNLAB_HEADLESS=1``; interactive
    widgets then render a static figure instead.
    """
    return os.environ.get(HEADLESS_ENV, "") not in ("", "0")


def seed_everything(seed):
    """Seed Python, NumPy and Keras (and through Keras, TensorFlow)."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    import numpy as np

    random.seed(seed)
    np.random.seed(seed)
    import keras

    keras.utils.set_random_seed(seed)


def setup(seed=0, *, deterministic=True, plots=True):
    """Prepare a notebook: quiet TensorFlow, seeds, determinism, plot style.

    Args:
        seed: int seed for Python, NumPy, Keras and TensorFlow.
        deterministic: turn on TensorFlow op determinism and turn off
            TensorFloat-32, so that a second run on the same machine computes
            the same numbers and a GPU agrees with the CPU to float32
            precision (slower on a GPU).
        plots: apply the course's matplotlib defaults.

    Returns nothing, so that the first cell's output is the same on a CPU
    and a GPU machine; ``cnnlab.notebook.accelerator()`` tells which is used.
    """
    _quiet_environment()
    tf = _import_tensorflow_silently()
    import keras

    # Python-side TensorFlow warnings (e.g. retracing notices when a lesson
    # builds many small models) would land in cell outputs.
    tf.get_logger().setLevel("ERROR")
    seed_everything(seed)
    if deterministic and keras.backend.backend() == "tensorflow":
        tf.config.experimental.enable_op_determinism()
        # TensorFloat-32 (on by default on Ampere and later NVIDIA GPUs) rounds
        # convolution inputs to a 10-bit mantissa: results would then differ
        # from the CPU and from NumPy by ~1e-3 instead of ~1e-6.
        tf.config.experimental.enable_tensor_float_32_execution(False)
    if plots:
        _plot_defaults()


def accelerator():
    """The device TensorFlow computes on: "GPU" when it sees one, else "CPU"."""
    tf = _import_tensorflow_silently()
    return "GPU" if tf.config.list_physical_devices("GPU") else "CPU"


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
