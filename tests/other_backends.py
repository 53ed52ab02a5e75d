"""Run a snippet under another Keras backend, in a fresh interpreter (Keras picks its
backend once per process), for the tests that check backend neutrality."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_on_backend(backend, code):
    """Run ``code`` with ``KERAS_BACKEND=backend`` (skip if it is not installed); it must
    print ``ok`` last. ``tests/`` is importable, so a snippet can reuse a test's models."""
    pytest.importorskip(backend)
    prelude = f"import sys\nsys.path.insert(0, {str(ROOT / 'tests')!r})\n"
    env = {"KERAS_BACKEND": backend, "MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], capture_output=True,
                            text=True, env=env, cwd=ROOT)
    assert result.returncode == 0 and result.stdout.split()[-1:] == ["ok"], result.stderr[-3000:]
