"""cnnlab.backend.gradients / value_and_grad on the backend of the session, against
gradients written from the formula in NumPy."""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from cnnlab import backend


def _dense(seed=0):
    rng = np.random.default_rng(seed)
    layer = keras.layers.Dense(3)
    layer.build((None, 4))
    layer.set_weights([rng.normal(size=(4, 3)).astype("float32"), rng.normal(size=3).astype("float32")])
    return layer, rng.normal(size=(5, 4)).astype("float32")


def test_dense_value_and_gradients_match_numpy():
    layer, x = _dense()
    kernel, bias = layer.get_weights()
    value, (grad_x, grad_kernel, grad_bias) = backend.value_and_grad(
        lambda t: keras.ops.sum(layer(t) ** 2), inputs=[x], variables=[layer.kernel, layer.bias]
    )
    y = x @ kernel + bias
    assert value == pytest.approx(float(np.sum(y**2)), rel=1e-5)
    np.testing.assert_allclose(grad_x, 2 * y @ kernel.T, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(grad_kernel, x.T @ (2 * y), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(grad_bias, (2 * y).sum(axis=0), rtol=1e-5, atol=1e-5)
    assert all(isinstance(g, np.ndarray) and g.dtype == np.float32 for g in (grad_x, grad_kernel, grad_bias))


def test_strided_conv_kernel_gradient_matches_numpy():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 7, 7, 3)).astype("float32")
    conv = keras.layers.Conv2D(4, 3, strides=2, use_bias=False)
    conv.build(x.shape)
    weights = rng.normal(size=(2, 3, 3, 4)).astype("float32")
    (grad,) = backend.gradients(lambda: keras.ops.sum(keras.ops.multiply(conv(x), weights)), variables=[conv.kernel])
    # d/dK[a, b, c, o] of sum_{n,i,j,o} w[n,i,j,o] * sum_{a,b,c} x[n, 2i+a, 2j+b, c] K[a,b,c,o]
    want = np.zeros((3, 3, 3, 4))
    for a in range(3):
        for b in range(3):
            want[a, b] = np.einsum("nijc,nijo->co", x[:, a : a + 5 : 2, b : b + 5 : 2], weights)
    np.testing.assert_allclose(grad, want, rtol=1e-4, atol=1e-4)


def test_model_gradients_per_layer_and_input_saliency():
    rng = np.random.default_rng(2)
    inputs = keras.Input((6, 6, 1))
    hidden = keras.layers.Conv2D(2, 3, activation="relu", name="conv")(inputs)
    outputs = keras.layers.Dense(3, name="dense")(keras.layers.Flatten()(hidden))
    model = keras.Model(inputs, outputs)
    x = rng.normal(size=(4, 6, 6, 1)).astype("float32")
    grads = backend.gradients(lambda: keras.ops.mean(model(x) ** 2), variables=model.trainable_weights)
    assert [g.shape for g in grads] == [tuple(v.shape) for v in model.trainable_weights]
    # The last layer's kernel gradient from the formula: d mean(y^2)/dW = h^T (2y) / y.size.
    features = keras.ops.convert_to_numpy(keras.Model(inputs, model.get_layer("dense").input)(x))
    y = keras.ops.convert_to_numpy(model(x))
    np.testing.assert_allclose(grads[2], features.T @ (2 * y) / y.size, rtol=1e-4, atol=1e-6)
    (saliency,) = backend.gradients(lambda image: keras.ops.sum(model(image)[:, 1]), inputs=[x[:1]])
    assert saliency.shape == (1, 6, 6, 1) and np.abs(saliency).max() > 0


def test_frozen_and_unreached_variables():
    layer, x = _dense()
    layer.trainable = False
    other = keras.Variable(np.ones(2, "float32"))
    grad_kernel, grad_other = backend.gradients(lambda: keras.ops.sum(layer(x)), variables=[layer.kernel, other])
    np.testing.assert_allclose(grad_kernel, np.repeat(x.sum(axis=0)[:, None], 3, axis=1), rtol=1e-5)
    np.testing.assert_array_equal(grad_other, np.zeros(2))
    assert layer.kernel.trainable is False


def test_state_updates_inside_the_function_are_kept():
    norm = keras.layers.BatchNormalization(momentum=0.5)
    x = np.random.default_rng(3).normal(2.0, 1.0, size=(8, 3)).astype("float32")
    norm.build(x.shape)
    backend.gradients(lambda: keras.ops.sum(norm(x, training=True) ** 2), variables=[norm.gamma])
    np.testing.assert_allclose(keras.ops.convert_to_numpy(norm.moving_mean), 0.5 * x.mean(axis=0), rtol=1e-5)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"inputs": [np.zeros(3, "float32")], "fn": keras.ops.abs}, ValueError, "scalar"),
        ({"inputs": [np.arange(3)], "fn": keras.ops.sum}, TypeError, "floating-point"),
        ({"variables": [np.zeros(3)], "fn": lambda: 0.0}, TypeError, "keras.Variable"),
        ({"fn": lambda: 0.0}, ValueError, "at least one"),
        ({"inputs": np.zeros(3), "fn": keras.ops.sum}, TypeError, "lists or tuples"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    fn = kwargs.pop("fn")
    with pytest.raises(error, match=match):
        backend.value_and_grad(fn, **kwargs)


def test_name_reads_keras_json_before_keras_is_imported(tmp_path):
    (tmp_path / "keras.json").write_text(json.dumps({"backend": "jax"}))
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    code = "import sys; from cnnlab import backend; print(backend.name(), 'keras' in sys.modules)"
    run = lambda **extra: subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,  # noqa: E731
                                         env={**env, **extra}, check=True).stdout.split()
    assert run(KERAS_HOME=str(tmp_path)) == ["jax", "False"]
    assert run(KERAS_HOME=str(tmp_path), KERAS_BACKEND="torch") == ["torch", "False"]
    assert run(KERAS_HOME=str(tmp_path / "empty")) == ["tensorflow", "False"]
    assert backend.name() == keras.backend.backend()
