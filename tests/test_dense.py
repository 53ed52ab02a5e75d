import keras
import numpy as np
import pytest

from cnnlab.layers import DenseBlock, TransitionLayer
from layer_checks import (assert_config_round_trip, assert_keras_round_trip, assert_none_batch,
                          randomize)

L = keras.layers


def copy_of(source, layer):
    def apply(x):
        y = layer(x)
        layer.set_weights(source.get_weights())
        return y
    return apply


def reference_dense_block(block, input_shape):
    """Huang et al. 2017, eq. 2: x_l = H_l([x_0, ..., x_{l-1}]), from Keras' own layers."""
    inputs = keras.Input(input_shape)
    features = [inputs]
    for steps in block.composites:
        x = features[0] if len(features) == 1 else L.Concatenate()(features)
        for norm, conv in steps:
            x = L.ReLU()(copy_of(norm, L.BatchNormalization(epsilon=norm.epsilon))(x))
            x = copy_of(conv, L.Conv2D(conv.filters, conv.kernel_size, padding="same",
                                       use_bias=False))(x)
        features.append(x)
    return keras.Model(inputs, L.Concatenate()(features))


def test_lecture_example_6_plus_4_times_4_is_22_channels():
    block = DenseBlock(num_layers=4, growth_rate=4, bottleneck=False)
    assert block(np.ones((1, 8, 8, 6), "float32")).shape == (1, 8, 8, 22)
    assert block.output_channels(6) == 6 + 4 * 4 == 22


@pytest.mark.parametrize("c0, k, layers, bottleneck", [
    (3, 2, 1, False), (6, 4, 4, False), (16, 12, 3, True), (64, 32, 6, True)])
def test_output_channels_are_c0_plus_k_times_l(c0, k, layers, bottleneck):
    block = DenseBlock(layers, k, bottleneck=bottleneck)
    assert block(np.ones((2, 4, 4, c0), "float32")).shape[-1] == c0 + k * layers


@pytest.mark.parametrize("bottleneck", [False, True])
@pytest.mark.parametrize("training", [False, True])
def test_matches_keras_layers(bottleneck, training):
    x = np.random.default_rng(0).normal(size=(2, 5, 5, 6)).astype("float32")
    block = DenseBlock(3, 4, bottleneck=bottleneck)
    block.build(x.shape)
    randomize(block)
    expected = keras.ops.convert_to_numpy(reference_dense_block(block, x.shape[1:])(x, training=training))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(block(x, training=training)), expected, rtol=1e-4, atol=1e-5)


def test_block_input_is_passed_through_unchanged():
    x = np.random.default_rng(1).normal(size=(2, 4, 4, 5)).astype("float32")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(DenseBlock(2, 3)(x))[..., :5], x)


def test_parameter_count_of_a_bottleneck_block():
    c0, k, layers = 64, 32, 6
    block = DenseBlock(layers, k)
    block.build((None, 56, 56, c0))
    expected = 0
    for i in range(layers):
        c = c0 + i * k
        # BN(c) scale+shift, 1x1 conv c -> 4k, BN(4k), 3x3 conv 4k -> k; no biases.
        expected += 2 * c + c * 4 * k + 2 * 4 * k + 9 * 4 * k * k
    assert sum(int(np.prod(w.shape)) for w in block.trainable_weights) == expected


def test_dense_block_none_batch_and_round_trip(tmp_path):
    assert_none_batch(DenseBlock(3, 4), (None, None, 6), (None, None, 18))
    x = np.random.default_rng(2).normal(size=(2, 4, 4, 6)).astype("float32")
    assert_keras_round_trip(DenseBlock(2, 3, bottleneck_width=2), x, tmp_path)
    assert_config_round_trip(DenseBlock(5, 12, bottleneck=False, bottleneck_width=2,
                                        epsilon=1e-3))


@pytest.mark.parametrize("compression, channels, expected", [
    (0.5, 256, 128), (0.5, 22, 11), (0.5, 23, 11), (1.0, 22, 22), (0.3, 10, 3)])
def test_transition_keeps_floor_theta_m_channels_and_halves_space(compression, channels,
                                                                  expected):
    layer = TransitionLayer(compression)
    assert layer(np.ones((1, 9, 8, channels), "float32")).shape == (1, 4, 4, expected)


@pytest.mark.parametrize("training", [False, True])
def test_transition_matches_keras_layers(training):
    x = np.random.default_rng(3).normal(size=(2, 6, 6, 10)).astype("float32")
    layer = TransitionLayer(0.5)
    layer.build(x.shape)
    randomize(layer)
    inputs = keras.Input(x.shape[1:])
    y = L.ReLU()(copy_of(layer.norm, L.BatchNormalization(epsilon=layer.epsilon))(inputs))
    y = copy_of(layer.conv, L.Conv2D(5, 1, use_bias=False))(y)
    expected = keras.ops.convert_to_numpy(keras.Model(inputs, L.AveragePooling2D(2)(y))(x, training=training))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(x, training=training)), expected, rtol=1e-4, atol=1e-5)


def test_transition_none_batch_and_round_trip(tmp_path):
    assert_none_batch(TransitionLayer(0.5), (None, None, 8), (None, None, 4))
    assert_none_batch(TransitionLayer(0.5), (7, 8, 8), (3, 4, 4))
    x = np.random.default_rng(4).normal(size=(2, 4, 4, 6)).astype("float32")
    assert_keras_round_trip(TransitionLayer(0.5), x, tmp_path)
    assert_config_round_trip(TransitionLayer(0.25, epsilon=1e-3))


@pytest.mark.parametrize("cls, kwargs, error, word", [
    (DenseBlock, dict(num_layers=0, growth_rate=4), ValueError, "num_layers"),
    (DenseBlock, dict(num_layers=2, growth_rate=1.5), TypeError, "growth_rate"),
    (DenseBlock, dict(num_layers=2, growth_rate=4, bottleneck=None), TypeError, "bottleneck"),
    (DenseBlock, dict(num_layers=2, growth_rate=4, bottleneck_width=0), ValueError,
     "bottleneck_width"),
    (DenseBlock, dict(num_layers=2, growth_rate=4, epsilon=-1), ValueError, "epsilon"),
    (TransitionLayer, dict(compression=0.0), ValueError, "compression"),
    (TransitionLayer, dict(compression=1.5), ValueError, "compression"),
    (TransitionLayer, dict(compression="half"), TypeError, "compression"),
])
def test_rejects_bad_arguments(cls, kwargs, error, word):
    with pytest.raises(error, match=word):
        cls(**kwargs)
