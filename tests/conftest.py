"""Test-session environment: quiet TensorFlow, a non-interactive plot backend,
and the headless switch that course notebooks and widgets read."""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ["CNNLAB_HEADLESS"] = "1"

from hypothesis import settings  # noqa: E402

# CI replays the same examples every run, so a red build is reproducible;
# local runs keep exploring new ones.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
