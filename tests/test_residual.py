import keras
import numpy as np
import pytest

from cnnlab.layers import ResidualBlock
from layer_checks import (assert_config_round_trip, assert_keras_round_trip, assert_none_batch,
                          randomize)

L = keras.layers


def conv_like(conv):
    """A Keras Conv2D with the block's conv weights, padded symmetrically as torchvision."""
    k, s = conv.kernel_size[0], conv.strides[0]
    layer = L.Conv2D(conv.filters, k, strides=s, padding="valid", use_bias=False)

    def apply(x):
        x = L.ZeroPadding2D(k // 2)(x) if k > 1 else x
        y = layer(x)
        layer.set_weights(conv.get_weights())
        return y
    return apply


def bn_like(norm):
    layer = L.BatchNormalization(epsilon=norm.epsilon)

    def apply(x):
        y = layer(x)
        layer.set_weights(norm.get_weights())
        return y
    return apply


def reference(block, input_shape):
    """The block from Keras' own layers (He et al. 2015 fig. 2 and 5, He et al. 2016 fig. 4e)."""
    inputs = keras.Input(input_shape)
    relu = L.ReLU()
    if block.preactivation:
        pre = relu(bn_like(block.norms[0])(inputs))
        x = conv_like(block.convs[0])(pre)
        for conv, norm in zip(block.convs[1:], block.norms[1:]):
            x = conv_like(conv)(relu(bn_like(norm)(x)))
        shortcut = conv_like(block.projection)(pre) if block.projection is not None else inputs
    else:
        x = inputs
        for i, (conv, norm) in enumerate(zip(block.convs, block.norms)):
            x = bn_like(norm)(conv_like(conv)(x))
            if i < len(block.convs) - 1:
                x = relu(x)
        shortcut = inputs
        if block.projection is not None:
            shortcut = bn_like(block.projection_norm)(conv_like(block.projection)(inputs))
    if block.se is not None:
        squeezed = L.GlobalAveragePooling2D()(x)
        dense1 = L.Dense(block.se.squeeze_kernel.shape[1], activation="relu")
        dense2 = L.Dense(block.se.excite_kernel.shape[1], activation="sigmoid")
        hidden = dense1(squeezed)
        gate = dense2(hidden)
        dense1.set_weights([keras.ops.convert_to_numpy(w) for w in (block.se.squeeze_kernel, block.se.squeeze_bias)])
        dense2.set_weights([keras.ops.convert_to_numpy(w) for w in (block.se.excite_kernel, block.se.excite_bias)])
        x = L.Multiply()([x, L.Reshape((1, 1, -1))(gate)])
    if block.shortcut != "none":
        x = L.Add()([x, shortcut])
    if not block.preactivation:
        x = relu(x)
    return keras.Model(inputs, x)


CASES = [
    dict(filters=8, strides=1),
    dict(filters=8, strides=2),
    dict(filters=16, strides=1),
    dict(filters=4, strides=2, bottleneck=True),
    dict(filters=2, strides=1, bottleneck=True),
    dict(filters=8, strides=2, preactivation=True),
    dict(filters=2, strides=1, bottleneck=True, preactivation=True),
    dict(filters=8, strides=1, shortcut="projection"),
    dict(filters=8, strides=2, shortcut="none"),
    dict(filters=4, strides=2, bottleneck=True, se_ratio=4),
]


@pytest.mark.parametrize("kwargs", CASES, ids=lambda k: "-".join(f"{a}={b}" for a, b in k.items()))
@pytest.mark.parametrize("training", [False, True])
def test_matches_keras_layers(kwargs, training):
    x = np.random.default_rng(0).normal(size=(2, 6, 6, 8)).astype("float32")
    block = ResidualBlock(**kwargs)
    block.build(x.shape)
    randomize(block)
    expected = keras.ops.convert_to_numpy(reference(block, x.shape[1:])(x, training=training))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(block(x, training=training)), expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("in_channels, kwargs, projection", [
    (8, dict(filters=8), False),
    (8, dict(filters=8, strides=2), True),
    (4, dict(filters=8), True),
    (32, dict(filters=8, bottleneck=True), False),
    (16, dict(filters=8, bottleneck=True), True),
    (8, dict(filters=8, shortcut="projection"), True),
    (4, dict(filters=8, shortcut="none"), False),
])
def test_projection_only_where_shapes_change(in_channels, kwargs, projection):
    block = ResidualBlock(**kwargs)
    block.build((None, 8, 8, in_channels))
    assert (block.projection is not None) is projection


def test_identity_shortcut_refuses_a_shape_change():
    with pytest.raises(ValueError, match="shortcut='identity'"):
        ResidualBlock(8, strides=2, shortcut="identity").build((None, 8, 8, 8))


def test_zero_residual_makes_the_block_an_identity():
    """The point of the design: a block whose residual is zero passes its input through."""
    x = np.random.default_rng(3).uniform(0.0, 1.0, size=(2, 5, 5, 8)).astype("float32")
    block = ResidualBlock(8, preactivation=True)
    block.build(x.shape)
    block.convs[-1].kernel.assign(np.zeros(block.convs[-1].kernel.shape, "float32"))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(block(x)), x, atol=1e-6)
    plain = ResidualBlock(8, preactivation=True, shortcut="none")
    plain.build(x.shape)
    plain.convs[-1].kernel.assign(np.zeros(plain.convs[-1].kernel.shape, "float32"))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(plain(x)), 0.0, atol=1e-6)


def test_parameter_counts_of_basic_and_bottleneck_blocks():
    # Trainable weights: convolution kernels plus BN scale and shift (2 per channel).
    basic = ResidualBlock(64)
    basic.build((None, 56, 56, 64))
    bottleneck = ResidualBlock(64, bottleneck=True)
    bottleneck.build((None, 56, 56, 256))
    trainable = lambda layer: sum(int(np.prod(w.shape)) for w in layer.trainable_weights)
    assert trainable(basic) == 2 * 3 * 3 * 64 * 64 + 2 * 2 * 64
    assert trainable(bottleneck) == (256 * 64 + 3 * 3 * 64 * 64 + 64 * 256) + 2 * (64 + 64 + 256)


@pytest.mark.parametrize("kwargs, out_channels", [
    (dict(filters=8, strides=2), 8), (dict(filters=4, bottleneck=True), 16),
    (dict(filters=4, bottleneck=True, expansion=2, strides=2), 8)])
def test_none_batch_and_output_shape(kwargs, out_channels):
    strides = kwargs.get("strides", 1)
    assert_none_batch(ResidualBlock(**kwargs), (7, 8, 3), (-(-7 // strides), 8 // strides,
                                                           out_channels))
    assert_none_batch(ResidualBlock(**kwargs), (None, None, 3), (None, None, out_channels))


@pytest.mark.parametrize("kwargs", [dict(filters=4, strides=2, bottleneck=True),
                                    dict(filters=6, preactivation=True, se_ratio=2)])
def test_keras_round_trip(kwargs, tmp_path):
    x = np.random.default_rng(4).normal(size=(2, 6, 6, 6)).astype("float32")
    assert_keras_round_trip(ResidualBlock(**kwargs), x, tmp_path)


def test_config_round_trip():
    assert_config_round_trip(ResidualBlock(8, strides=2, bottleneck=True, expansion=2,
                                           preactivation=True, shortcut="projection", se_ratio=4,
                                           epsilon=1e-3, momentum=0.99))


@pytest.mark.parametrize("kwargs, error, word", [
    (dict(filters=0), ValueError, "filters"),
    (dict(filters=8.0), TypeError, "filters"),
    (dict(filters=8, strides=0), ValueError, "strides"),
    (dict(filters=8, bottleneck="yes"), TypeError, "bottleneck"),
    (dict(filters=8, preactivation=1), TypeError, "preactivation"),
    (dict(filters=8, shortcut="zero"), ValueError, "shortcut"),
    (dict(filters=8, se_ratio=0), ValueError, "se_ratio"),
    (dict(filters=8, epsilon=0), ValueError, "epsilon"),
    (dict(filters=8, momentum=1.0), ValueError, "momentum"),
])
def test_rejects_bad_arguments(kwargs, error, word):
    with pytest.raises(error, match=word):
        ResidualBlock(**kwargs)
