"""cnnlab.notebook.setup: reproducible, quiet, and cheap to import."""

import subprocess
import sys

import pytest


def _run(code, **env):
    import os

    full_env = {k: v for k, v in {**os.environ, **env}.items() if v is not None}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=full_env, check=True, timeout=300
    )


def test_import_cnnlab_does_not_import_tensorflow():
    result = _run("import sys, cnnlab, cnnlab.notebook, cnnlab.course; print('tensorflow' in sys.modules, 'keras' in sys.modules)")
    assert result.stdout.split() == ["False", "False"]


def test_setup_is_silent_on_stderr():
    # A fresh interpreter without the quieting variables the test session sets.
    result = _run(
        "import cnnlab.notebook; cnnlab.notebook.setup(seed=0); "
        "import keras, numpy as np; keras.layers.Conv2D(2, 3)(np.zeros((1, 5, 5, 1), 'float32'))",
        TF_CPP_MIN_LOG_LEVEL=None,
    )
    assert result.stderr == ""
    assert result.stdout == ""


def test_same_seed_gives_the_same_numbers():
    code = (
        "import cnnlab.notebook; cnnlab.notebook.setup(seed={seed});"
        "import keras, numpy as np, random;"
        "w = keras.layers.Dense(3); w.build((None, 4));"
        "print(random.random(), np.random.rand(), float(keras.random.uniform(()) ), float(keras.ops.convert_to_numpy(w.kernel).sum()))"
    )
    first = _run(code.format(seed=7)).stdout
    again = _run(code.format(seed=7)).stdout
    other = _run(code.format(seed=8)).stdout
    assert first == again
    assert first != other


@pytest.mark.parametrize("seed, error", [(True, TypeError), (1.5, TypeError), ("0", TypeError), (-1, ValueError)])
def test_bad_seeds_are_rejected(seed, error):
    from cnnlab import notebook

    with pytest.raises(error, match="seed"):
        notebook.seed_everything(seed)


def test_headless_switch(monkeypatch):
    from cnnlab import notebook

    monkeypatch.setenv("CNNLAB_HEADLESS", "1")
    assert notebook.is_headless()
    monkeypatch.setenv("CNNLAB_HEADLESS", "0")
    assert not notebook.is_headless()
    monkeypatch.delenv("CNNLAB_HEADLESS")
    assert not notebook.is_headless()


def test_every_public_module_is_reachable_from_the_package():
    import pkgutil

    import cnnlab

    modules = {m.name for m in pkgutil.iter_modules(cnnlab.__path__) if not m.name.startswith("_")}
    assert modules - {"weights"} == set(cnnlab._SUBMODULES)
