"""What differs between Keras' backends, in one place: TensorFlow, JAX or PyTorch.

- :func:`name` tells which backend Keras uses (or will use, before it is imported).
- :func:`gradients` and :func:`value_and_grad` differentiate a scalar with each
  backend's own mechanism (``tf.GradientTape``, ``jax.grad`` over Keras'
  stateless scope, ``torch.autograd``) and return NumPy arrays, so a lesson or a
  test reads the same on all three.
- :func:`protect_native_kernels` and :func:`enable_determinism` are what
  ``cnnlab.notebook.setup()`` and the test session switch on.

Importing this module imports neither Keras nor a backend: the switches that
native libraries read at import time must be set before that.
"""

import json
import os
import platform
import sys

BACKENDS = ("tensorflow", "jax", "torch")

# Set by protect_native_kernels, for a user who wants oneDNN's kernels back
# (e.g. to benchmark them) on a CPU where cnnlab turns them off.
KEEP_ONEDNN_ENV = "CNNLAB_KEEP_ONEDNN"


def name():
    """The Keras backend in use: "tensorflow", "jax" or "torch".

    Before Keras is imported this is what Keras will pick: ``$KERAS_BACKEND``,
    else the ``"backend"`` of ``$KERAS_HOME/keras.json`` (``~/.keras``), else
    TensorFlow.
    """
    if "keras" in sys.modules:
        import keras

        return keras.backend.backend()
    chosen = os.environ.get("KERAS_BACKEND")
    if not chosen:
        home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
        try:
            with open(os.path.join(home, "keras.json")) as handle:
                chosen = json.load(handle).get("backend")
        except (OSError, ValueError, AttributeError):
            chosen = None
    return chosen or "tensorflow"


# ------------------------------------------------------- native-kernel safety


def onednn_affected():
    """True on the CPUs where cnnlab turns oneDNN's convolution kernels off.

    On this project's AMD EPYC (AVX-512) machines, TensorFlow 2.21's oneDNN
    kernels corrupt the heap computing the weight gradient of a 1x1, stride-2
    convolution with few channels (a ResNet projection shortcut), eagerly or in
    a ``tf.function``, and PyTorch 2.13's mkldnn convolution crashes on the same
    shapes. Only x86-64 CPUs run those kernels; which x86-64 models are safe is
    not known, so all of them count as affected.
    """
    return platform.machine().lower() in ("x86_64", "amd64")


def protect_native_kernels():
    """Keep the crashing oneDNN convolution kernels out of reach on affected CPUs.

    Sets ``TF_ENABLE_ONEDNN_OPTS=0`` (read when TensorFlow is imported, so it
    only works before that; a value the user set is left alone) and, when
    PyTorch is imported, turns off its mkldnn convolutions. Both fall back to
    each library's own convolution, which computes the right gradient. Without
    mkldnn PyTorch would pick NNPACK for stride-1 convolutions, whose fast
    algorithms are off by ~1e-8 where the exact answer is 0 (TensorFlow and JAX
    give 0), so NNPACK is turned off too. ``CNNLAB_KEEP_ONEDNN=1`` keeps them all.

    Returns:
        True when the switches were applied.
    """
    if not onednn_affected() or os.environ.get(KEEP_ONEDNN_ENV, "") not in ("", "0"):
        return False
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        torch.backends.mkldnn.enabled = False
        torch.backends.nnpack.set_flags(False)
    return True


# ---------------------------------------------------------------- determinism


def prepare_determinism(backend=None):
    """Environment switches for determinism that a backend reads when it starts.

    Call before Keras is imported; :func:`enable_determinism` does the rest.
    """
    backend = backend or name()
    if backend == "jax":
        flags = os.environ.get("XLA_FLAGS", "")
        if "xla_gpu_deterministic_ops" not in flags:
            os.environ["XLA_FLAGS"] = f"{flags} --xla_gpu_deterministic_ops=true".strip()
    elif backend == "torch":
        # cuBLAS is deterministic only with a fixed workspace (PyTorch's
        # "Reproducibility" notes); ignored on a CPU.
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")


def enable_determinism():
    """Deterministic kernels and full float32 precision for the backend Keras uses.

    A second run on the same machine then computes the same numbers, and a GPU
    agrees with the CPU to float32 precision: TensorFloat-32 (on by default for
    convolutions on Ampere and later NVIDIA GPUs) rounds inputs to a 10-bit
    mantissa, a ~1e-3 difference instead of ~1e-6. Slower on a GPU.
    """
    backend = name()
    if backend == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
        tf.config.experimental.enable_tensor_float_32_execution(False)
    elif backend == "jax":
        import jax

        jax.config.update("jax_default_matmul_precision", "highest")
    elif backend == "torch":
        import torch

        torch.use_deterministic_algorithms(True)
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False


# ------------------------------------------------------------------ gradients


def value_and_grad(fn, inputs=(), variables=()):
    """The value of a scalar function and its gradients, on any backend.

    Args:
        fn: a function of the ``inputs`` (passed positionally, as backend
            tensors) that returns a scalar tensor, e.g.
            ``lambda x: keras.ops.sum(model(x)[:, 3])``. The ``variables`` it
            reads are used directly (a closure over a model is fine).
        inputs: floating-point arrays (NumPy or tensors) to differentiate with
            respect to, e.g. an image for a saliency map.
        variables: ``keras.Variable`` objects to differentiate with respect to,
            e.g. ``model.trainable_weights``.

    Returns:
        ``(value, grads)``: the value as a float, and one NumPy array per input
        then per variable, each of its shape. A gradient that does not reach
        an input or variable is zeros.

    Variables that ``fn`` assigns (BatchNormalization's moving statistics in
    training mode, a dropout seed) keep their new values on every backend, as
    after a plain call.
    """
    inputs, variables = _check_targets(inputs, variables)
    backend = name()
    if backend == "tensorflow":
        value, grads = _tensorflow(fn, inputs, variables)
    elif backend == "jax":
        value, grads = _jax(fn, inputs, variables)
    elif backend == "torch":
        value, grads = _torch(fn, inputs, variables)
    else:
        raise ValueError(f"cnnlab supports the Keras backends {BACKENDS}, not {backend!r}")
    import keras
    import numpy as np

    targets = [*inputs, *variables]
    arrays = [
        np.zeros(tuple(t.shape), keras.backend.standardize_dtype(t.dtype)) if g is None else keras.ops.convert_to_numpy(g)
        for g, t in zip(grads, targets)
    ]
    return float(keras.ops.convert_to_numpy(value)), arrays


def gradients(fn, inputs=(), variables=()):
    """The gradients of :func:`value_and_grad`, without the value."""
    return value_and_grad(fn, inputs, variables)[1]


def _check_targets(inputs, variables):
    import keras

    if not isinstance(inputs, (list, tuple)) or not isinstance(variables, (list, tuple)):
        raise TypeError("inputs and variables must be lists or tuples (of arrays, and of keras.Variable)")
    if not inputs and not variables:
        raise ValueError("value_and_grad needs at least one of inputs or variables to differentiate by")
    for variable in variables:
        if not isinstance(variable, keras.Variable):
            raise TypeError(f"variables must hold keras.Variable objects, got {type(variable).__name__}")
    tensors = []
    for index, array in enumerate(inputs):
        tensor = keras.ops.convert_to_tensor(array)
        if "float" not in keras.backend.standardize_dtype(tensor.dtype):
            raise TypeError(f"inputs[{index}] must be a floating-point array, got dtype {tensor.dtype}")
        tensors.append(tensor)
    return tensors, list(variables)


def _scalar(value):
    if len(value.shape) != 0:
        raise ValueError(f"fn must return a scalar, got shape {tuple(value.shape)}")
    return value


def _tensorflow(fn, inputs, variables):
    import tensorflow as tf

    targets = inputs + [v.value for v in variables]
    with tf.GradientTape() as tape:
        tape.watch(targets)
        value = _scalar(fn(*inputs))
    return value, tape.gradient(value, targets)


def _jax(fn, inputs, variables):
    import jax
    import keras

    class Recording(keras.StatelessScope):
        """A stateless scope that remembers which variables were assigned."""

        def add_update(self, update):
            super().add_update(update)
            assigned[id(update[0])] = update[0]

    assigned = {}
    differentiated = {id(v) for v in variables}
    updated = []

    def pure(input_values, variable_values):
        with Recording(state_mapping=list(zip(variables, variable_values))) as scope:
            value = _scalar(fn(*input_values))
        updated[:] = [v for key, v in assigned.items() if key not in differentiated]
        return value, [scope.get_current_value(v) for v in updated]

    (value, values), (input_grads, variable_grads) = jax.value_and_grad(pure, argnums=(0, 1), has_aux=True)(
        inputs, [v.value for v in variables]
    )
    for variable, new in zip(updated, values):
        variable.assign(new)
    return value, [*input_grads, *variable_grads]


def _torch(fn, inputs, variables):
    import torch

    inputs = [x.detach().clone().requires_grad_(True) for x in inputs]
    tensors = [v.value for v in variables]
    frozen = [t for t in tensors if not t.requires_grad]
    for tensor in frozen:
        tensor.requires_grad_(True)
    try:
        with torch.enable_grad():
            value = _scalar(fn(*inputs))
            targets = inputs + tensors
            if value.requires_grad:
                grads = torch.autograd.grad(value, targets, allow_unused=True)
            else:
                grads = [None] * len(targets)
    finally:
        for tensor in frozen:
            tensor.requires_grad_(False)
    return value.detach(), list(grads)
