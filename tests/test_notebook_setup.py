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


def test_budget_scales_training_lengths(monkeypatch):
    from cnnlab import notebook

    monkeypatch.setattr(notebook, "_budget", None)
    monkeypatch.delenv("CNNLAB_BUDGET", raising=False)
    assert notebook.budget() == 1.0 and notebook.scaled(600) == 600
    monkeypatch.setenv("CNNLAB_BUDGET", "2.5")
    assert notebook.scaled(600) == 1500
    assert notebook.scaled(600, multiple=7) == 1498  # 214 evaluations of 7 steps
    monkeypatch.setenv("CNNLAB_BUDGET", "0.001")
    assert notebook.scaled(600) == 1 and notebook.scaled(600, multiple=6) == 6
    for bad in ("fast", "-1", "inf", "0"):
        monkeypatch.setenv("CNNLAB_BUDGET", bad)
        with pytest.raises(ValueError, match="CNNLAB_BUDGET"):
            notebook.scaled(10)
    with pytest.raises(ValueError, match="multiple"):
        notebook.scaled(10, multiple=0)
    with pytest.raises(ValueError, match="budget"):
        notebook.setup(budget=0)


def test_setup_budget_wins_over_the_environment():
    code = "import cnnlab.notebook as nb; nb.setup(seed=0, budget=3, plots=False); print(nb.budget(), nb.scaled(10))"
    assert _run(code, CNNLAB_BUDGET="5").stdout.split() == ["3.0", "30"]


DETERMINISM = {
    "tensorflow": "import tensorflow as tf; from tensorflow.python.framework import config; "
                  "print(config.is_op_determinism_enabled(), tf.config.experimental.tensor_float_32_execution_enabled())",
    "jax": "import os, jax; print('xla_gpu_deterministic_ops=true' in os.environ.get('XLA_FLAGS', ''), "
           "jax.config.jax_default_matmul_precision != 'highest')",
    "torch": "import torch; print(torch.are_deterministic_algorithms_enabled() and torch.backends.cudnn.deterministic, "
             "torch.backends.cudnn.allow_tf32 or torch.backends.cuda.matmul.allow_tf32)",
}


@pytest.mark.parametrize("deterministic", [True, False])
def test_setup_turns_on_the_backends_determinism(deterministic):
    import keras

    check = DETERMINISM[keras.backend.backend()]
    code = f"import cnnlab.notebook; cnnlab.notebook.setup(seed=0, deterministic={deterministic}, plots=False); {check}"
    env = {"XLA_FLAGS": None}
    on, tf32 = _run(code, **env).stdout.split()
    assert on == str(deterministic)
    if deterministic:
        assert tf32 == "False"
