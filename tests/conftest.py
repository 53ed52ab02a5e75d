"""Test-session environment, set before anything imports Keras or TensorFlow.

Quiet TensorFlow, a non-interactive plot backend, the headless switch that
course notebooks and widgets read, the native-kernel protection and the
backend's deterministic kernels that ``cnnlab.notebook.setup()`` gives a
notebook. The backend is ``$KERAS_BACKEND`` (``make test BACKEND=jax``), by
default TensorFlow. Tests about one backend's own path are marked
``@pytest.mark.tensorflow_only`` and skipped on the others.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ["CNNLAB_HEADLESS"] = "1"

from cnnlab import backend  # noqa: E402  (imports no backend)

backend.protect_native_kernels()
backend.prepare_determinism()

import keras  # noqa: E402
import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

backend.protect_native_kernels()
# Every test that trains computes the same numbers on every run of the suite.
backend.enable_determinism()

# CI replays the same examples every run, so a red build is reproducible;
# local runs keep exploring new ones.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")



@pytest.fixture(autouse=True)
def _seeded():
    """Every test starts from the same seeds, whichever tests ran before it in its
    worker: with op determinism on, TensorFlow refuses an unseeded random op."""
    keras.utils.set_random_seed(0)


@pytest.fixture
def xla_allowed():
    """TensorFlow's op determinism switched off for one test: XLA has no
    deterministic max-pool gradient, and Keras silently drops ``jit_compile=True``
    while determinism is on, so a test of the XLA path needs it off."""
    if keras.backend.backend() != "tensorflow":
        yield
        return
    from tensorflow.python.framework import config

    config.disable_op_determinism()
    try:
        yield
    finally:
        config.enable_op_determinism()


BACKEND_MARKERS = {"tensorflow_only": "tensorflow", "jax_only": "jax", "torch_only": "torch"}


def pytest_report_header(config):
    return f"Keras backend: {keras.backend.backend()}"


def pytest_collection_modifyitems(config, items):
    current = keras.backend.backend()
    for item in items:
        for marker, wanted in BACKEND_MARKERS.items():
            if item.get_closest_marker(marker) and current != wanted:
                item.add_marker(pytest.mark.skip(reason=f"tests the {wanted} backend's own path; this run uses {current}"))
