"""Test-session environment: quiet TensorFlow, a non-interactive plot backend,
and the headless switch that course notebooks and widgets read."""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ["CNNLAB_HEADLESS"] = "1"
