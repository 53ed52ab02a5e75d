"""Checks every cnnlab layer test repeats: ``None`` batch, ``.keras`` round trip, config."""

import keras
import numpy as np


def randomize(layer_or_model, seed=0):
    """Give every weight random values, so batch normalisation is not an identity.

    Variances and BN scales stay positive.
    """
    rng = np.random.default_rng(seed)
    for weight in layer_or_model.weights:
        values = rng.normal(0.0, 0.2, tuple(weight.shape))
        if weight.path.endswith(("moving_variance", "gamma")):
            values = 1.0 + np.abs(values)
        weight.assign(values.astype("float32"))


def assert_none_batch(layer, input_shape, expected_output_shape):
    """The layer accepts a symbolic input with an unknown batch size."""
    inputs = keras.Input(input_shape)
    outputs = layer(inputs)
    assert tuple(outputs.shape) == (None, *expected_output_shape)
    assert tuple(layer.compute_output_shape((None, *input_shape))) == (None, *expected_output_shape)


def assert_keras_round_trip(layer, x, tmp_path):
    """Save a model holding the layer to ``.keras``, load it, get the same outputs."""
    inputs = keras.Input(x.shape[1:])
    model = keras.Model(inputs, layer(inputs))
    randomize(model, seed=1)
    expected = model.predict(x, verbose=0)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded.layers[1]) is type(layer)
    assert loaded.layers[1].get_config() == layer.get_config()
    np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-5)


def assert_config_round_trip(layer):
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
