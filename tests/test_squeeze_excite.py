import keras
import numpy as np
import pytest

from cnnlab.layers import SqueezeExcite
from layer_checks import (assert_config_round_trip, assert_keras_round_trip, assert_none_batch,
                          randomize)


def numpy_squeeze_excite(x, w1, b1, w2, b2, activation):
    """Hu et al. 2018, eq. 2-4, written from the paper."""
    z = x.mean(axis=(1, 2))
    s = 1.0 / (1.0 + np.exp(-(activation(z @ w1 + b1) @ w2 + b2)))
    return x * s[:, None, None, :], s


def relu(v):
    return np.maximum(v, 0.0)


def swish(v):
    return v / (1.0 + np.exp(-v))


@pytest.mark.parametrize("activation, reference", [("relu", relu), ("swish", swish)])
def test_matches_numpy_squeeze_excite_scale(activation, reference):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 5, 6, 32)).astype("float32")
    layer = SqueezeExcite(ratio=8, activation=activation)
    layer.build(x.shape)
    randomize(layer)
    w1, b1, w2, b2 = (keras.ops.convert_to_numpy(w) for w in (layer.squeeze_kernel, layer.squeeze_bias,
                                           layer.excite_kernel, layer.excite_bias))
    expected, weights = numpy_squeeze_excite(x, w1, b1, w2, b2, reference)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(x)), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer.excitation(x)), weights, rtol=1e-5, atol=1e-6)
    assert w1.shape == (32, 4) and w2.shape == (4, 32)


def test_channel_weights_lie_in_zero_one_and_only_rescale():
    x = np.random.default_rng(1).uniform(0.5, 1.0, size=(2, 4, 4, 16)).astype("float32")
    layer = SqueezeExcite(ratio=4)
    y = keras.ops.convert_to_numpy(layer(x))
    weights = keras.ops.convert_to_numpy(layer.excitation(x))
    assert np.all((weights > 0) & (weights < 1))
    # Each output channel is its input channel times one number per sample.
    np.testing.assert_allclose(y / x, np.broadcast_to(weights[:, None, None, :], x.shape),
                               rtol=1e-5)


@pytest.mark.parametrize("channels, ratio, units, expected_units", [
    (64, 16, None, 4), (256, 16, None, 16), (8, 16, None, 1), (96, 16, 4, 4)])
def test_parameter_count_is_2cu_plus_u_plus_c(channels, ratio, units, expected_units):
    layer = SqueezeExcite(ratio=ratio, units=units)
    layer.build((None, 7, 7, channels))
    assert layer.bottleneck_units(channels) == expected_units
    assert layer.count_params() == 2 * channels * expected_units + expected_units + channels


def test_without_bias():
    layer = SqueezeExcite(ratio=4, use_bias=False)
    layer.build((None, 3, 3, 16))
    assert layer.count_params() == 2 * 16 * 4


def test_none_batch_and_any_spatial_size():
    assert_none_batch(SqueezeExcite(ratio=4), (None, None, 16), (None, None, 16))


def test_keras_round_trip(tmp_path):
    x = np.random.default_rng(2).normal(size=(2, 5, 5, 12)).astype("float32")
    assert_keras_round_trip(SqueezeExcite(ratio=3, activation="swish"), x, tmp_path)


def test_config_round_trip():
    assert_config_round_trip(SqueezeExcite(ratio=4, units=7, activation="swish", use_bias=False))


@pytest.mark.parametrize("kwargs, error, word", [
    ({"ratio": 0}, ValueError, "ratio"),
    ({"ratio": 2.5}, TypeError, "ratio"),
    ({"ratio": True}, TypeError, "ratio"),
    ({"units": 0}, ValueError, "units"),
    ({"use_bias": 1}, TypeError, "use_bias"),
])
def test_rejects_bad_arguments(kwargs, error, word):
    with pytest.raises(error, match=word):
        SqueezeExcite(**kwargs)


def test_rejects_non_image_input():
    with pytest.raises(ValueError):
        SqueezeExcite()(keras.ops.ones((2, 16)))
