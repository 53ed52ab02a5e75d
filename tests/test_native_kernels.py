"""The oneDNN / mkldnn switches of cnnlab.backend.protect_native_kernels.

TensorFlow 2.21's oneDNN kernels corrupt the heap computing the weight gradient
of a 1x1, stride-2 convolution with few channels, and PyTorch 2.13's mkldnn
convolution crashes on the same shapes (``../shared/repro``). Each check runs in a
fresh interpreter: the switch only acts before the library is imported, and a
heap corruption would take the test session down with it.
"""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from cnnlab import backend

# The weight gradient of a 1x1, stride-2 convolution checked against NumPy, on
# the shapes that crash without the switch (few channels) and on a ResNet
# projection shortcut's (16 -> 32 channels).
GRADIENT_CHECK = """
import os, sys
import cnnlab.notebook
cnnlab.notebook.setup(seed=0)
import keras, numpy as np
from cnnlab import backend
rng = np.random.default_rng(0)
worst = 0.0
for batch, size, cin, cout in [(3, 16, 4, 8)] * 15 + [(3, 16, 3, 8), (3, 16, 8, 16), (8, 32, 16, 32)]:
    x = rng.normal(size=(batch, size, size, cin)).astype("float32")
    kernel = keras.Variable(rng.normal(size=(1, 1, cin, cout)).astype("float32"))
    g = rng.normal(size=(batch, size // 2, size // 2, cout)).astype("float32")
    (grad,) = backend.gradients(lambda: keras.ops.sum(keras.ops.multiply(keras.ops.conv(x, kernel, strides=2), g)),
                                variables=[kernel])
    want = np.einsum("nhwo,nhwi->io", g, x[:, ::2, ::2, :])[None, None]
    worst = max(worst, float(np.abs(grad - want).max() / np.abs(want).max()))
print(keras.backend.backend(), worst, os.environ.get("TF_ENABLE_ONEDNN_OPTS"), "torch" in sys.modules
      and sys.modules["torch"].backends.mkldnn.enabled)
"""


def _fresh(code, **env):
    full = {**os.environ, **env}
    for name in ("TF_ENABLE_ONEDNN_OPTS", backend.KEEP_ONEDNN_ENV):
        if name not in env:
            full.pop(name, None)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full, timeout=600)


@pytest.mark.slow
@pytest.mark.skipif(not backend.onednn_affected(), reason="oneDNN's x86-64 kernels are not used on this CPU")
def test_weight_gradient_of_a_strided_1x1_convolution_is_right_after_setup():
    result = _fresh(GRADIENT_CHECK)
    assert result.returncode == 0, result.stderr[-2000:]
    name, worst, onednn, mkldnn = result.stdout.split()
    assert name == keras.backend.backend()
    assert float(worst) < 1e-5
    assert onednn == "0" and mkldnn == "False"


def test_setup_turns_onednn_off_before_tensorflow_starts_and_leaves_a_users_choice():
    code = ("import os, sys, cnnlab.notebook; cnnlab.notebook.setup(); "
            "print(os.environ.get('TF_ENABLE_ONEDNN_OPTS'), 'tensorflow' in sys.modules)")
    default = _fresh(code).stdout.split()
    expected = "0" if backend.onednn_affected() else "None"
    assert default[0] == expected
    assert default[1] == str(keras.backend.backend() == "tensorflow")
    assert _fresh(code, TF_ENABLE_ONEDNN_OPTS="1").stdout.split()[0] == "1"
    assert _fresh(code, CNNLAB_KEEP_ONEDNN="1").stdout.split()[0] == "None"


@pytest.mark.skipif(not backend.onednn_affected(), reason="oneDNN's x86-64 kernels are not used on this CPU")
@pytest.mark.skipif(bool(os.environ.get(backend.KEEP_ONEDNN_ENV)), reason="CNNLAB_KEEP_ONEDNN is set")
def test_the_test_session_runs_with_the_switch():
    assert os.environ["TF_ENABLE_ONEDNN_OPTS"] == "0"
    if keras.backend.backend() == "torch":
        import torch

        assert not torch.backends.mkldnn.enabled
        assert not torch._C._get_nnpack_enabled()


@pytest.mark.torch_only
def test_torch_convolution_is_exact_where_the_answer_is_zero():
    # NNPACK, PyTorch's choice once mkldnn is off, answers ~1e-8 here.
    inputs = keras.Input((40, 1))
    conv = keras.layers.Conv1D(1, 2, use_bias=False, kernel_initializer="ones")
    response = keras.ops.convert_to_numpy(keras.Model(inputs, conv(inputs))(np.eye(40, dtype="float32")[..., None]))
    assert np.flatnonzero(response[:, 0, 0]).tolist() == [0, 1]
