import keras
import numpy as np
import pytest

from cnnlab.layers import MBConv
from layer_checks import (assert_config_round_trip, assert_keras_round_trip, assert_none_batch,
                          randomize)

L = keras.layers


def copy_of(source_weights, layer):
    def apply(x):
        y = layer(x)
        layer.set_weights(source_weights)
        return y
    return apply


def reference_mbconv(block, input_shape):
    """keras.applications.efficientnet's block(), rebuilt from Keras layers (no drop-connect)."""
    inputs = keras.Input(input_shape)
    swish = L.Activation("swish")
    x = inputs
    if block.expand_conv is not None:
        x = copy_of(block.expand_conv.get_weights(),
                    L.Conv2D(block.expand_conv.filters, 1, use_bias=False))(x)
        x = swish(copy_of(block.expand_norm.get_weights(), L.BatchNormalization())(x))
    x = copy_of(block.depthwise.get_weights(),
                L.DepthwiseConv2D(block.kernel_size, strides=block.strides, padding="same",
                                  use_bias=False))(x)
    x = swish(copy_of(block.depthwise_norm.get_weights(), L.BatchNormalization())(x))
    if block.se is not None:
        se = L.Reshape((1, 1, -1))(L.GlobalAveragePooling2D()(x))
        kernel1, bias1, kernel2, bias2 = (keras.ops.convert_to_numpy(w) for w in block.se.weights)
        se = copy_of([kernel1[None, None], bias1],
                     L.Conv2D(kernel1.shape[1], 1, activation="swish"))(se)
        se = copy_of([kernel2[None, None], bias2],
                     L.Conv2D(kernel2.shape[1], 1, activation="sigmoid"))(se)
        x = L.Multiply()([x, se])
    x = copy_of(block.project_conv.get_weights(), L.Conv2D(block.filters, 1, use_bias=False))(x)
    x = copy_of(block.project_norm.get_weights(), L.BatchNormalization())(x)
    if block.strides == 1 and input_shape[-1] == block.filters:
        x = L.Add()([x, inputs])
    return keras.Model(inputs, x)


CASES = [
    dict(filters=8, expand_ratio=1),
    dict(filters=8, expand_ratio=6),
    dict(filters=12, kernel_size=5, strides=2, expand_ratio=6),
    dict(filters=8, kernel_size=5, strides=2, expand_ratio=6, se_ratio=0.0),
    dict(filters=8, expand_ratio=4, drop_rate=0.3),
]


@pytest.mark.parametrize("kwargs", CASES, ids=lambda k: "-".join(f"{a}={b}" for a, b in k.items()))
def test_matches_keras_applications_block_at_inference(kwargs):
    x = np.random.default_rng(0).normal(size=(2, 8, 8, 8)).astype("float32")
    block = MBConv(**kwargs)
    block.build(x.shape)
    randomize(block)
    expected = keras.ops.convert_to_numpy(reference_mbconv(block, x.shape[1:])(x, training=False))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(block(x, training=False)), expected, rtol=1e-4, atol=1e-5)


def test_se_bottleneck_is_sized_from_the_input_channels():
    block = MBConv(16, expand_ratio=6, se_ratio=0.25)
    block.build((None, 8, 8, 16))
    assert block.se.squeeze_kernel.shape == (96, 4)


def test_shortcut_only_when_shapes_agree():
    for kwargs, in_channels, expected in [(dict(filters=8), 8, True),
                                          (dict(filters=8, strides=2), 8, False),
                                          (dict(filters=16), 8, False),
                                          (dict(filters=8, id_skip=False), 8, False)]:
        block = MBConv(**kwargs)
        block.build((None, 8, 8, in_channels))
        assert block.has_shortcut is expected


def test_drop_connect_drops_whole_residuals_per_sample():
    x = np.random.default_rng(1).normal(size=(64, 4, 4, 8)).astype("float32")
    block = MBConv(8, expand_ratio=2, drop_rate=0.5)
    block.build(x.shape)
    randomize(block)
    residual = keras.ops.convert_to_numpy(block(x, training=False)) - x
    keras.utils.set_random_seed(0)
    out = keras.ops.convert_to_numpy(block(x, training=True)) - x
    # Training-mode BN changes the residual; compare with a block that never drops.
    keep = MBConv(8, expand_ratio=2, drop_rate=0.0)
    keep.build(x.shape)
    for source, target in zip(block.weights, keep.weights):
        target.assign(keras.ops.convert_to_numpy(source))
    full = keras.ops.convert_to_numpy(keep(x, training=True)) - x
    dropped = np.all(np.abs(out) < 1e-6, axis=(1, 2, 3))
    scaled = np.all(np.isclose(out, 2.0 * full, rtol=1e-4, atol=1e-5), axis=(1, 2, 3))
    assert np.all(dropped | scaled)
    assert 10 < dropped.sum() < 54
    assert not np.allclose(residual, 0.0)


def test_parameter_count_of_efficientnet_b0_block2a():
    # 16 -> 24 channels, expand 6, 3x3 depthwise, SE 0.25 of 16 = 4 units.
    block = MBConv(24, kernel_size=3, strides=2, expand_ratio=6)
    block.build((None, 112, 112, 16))
    expanded = 96
    expected = (16 * expanded + 4 * expanded      # expand conv + BN (4 weights per channel)
                + 9 * expanded + 4 * expanded      # depthwise + BN
                + expanded * 4 + 4 + 4 * expanded + expanded  # SE
                + expanded * 24 + 4 * 24)          # project conv + BN
    assert block.count_params() == expected


def test_none_batch_round_trip_and_config(tmp_path):
    assert_none_batch(MBConv(12, strides=2), (None, None, 8), (None, None, 12))
    assert_none_batch(MBConv(12, strides=2), (7, 8, 8), (4, 4, 12))
    x = np.random.default_rng(2).normal(size=(2, 6, 6, 8)).astype("float32")
    assert_keras_round_trip(MBConv(8, kernel_size=5, drop_rate=0.2), x, tmp_path)
    assert_config_round_trip(MBConv(8, kernel_size=5, strides=2, expand_ratio=3, se_ratio=0.5,
                                    drop_rate=0.1, id_skip=False, activation="relu"))


@pytest.mark.parametrize("kwargs, error, word", [
    (dict(filters=0), ValueError, "filters"),
    (dict(filters=8, kernel_size=0), ValueError, "kernel_size"),
    (dict(filters=8, strides=1.0), TypeError, "strides"),
    (dict(filters=8, expand_ratio=0), ValueError, "expand_ratio"),
    (dict(filters=8, se_ratio=1.5), ValueError, "se_ratio"),
    (dict(filters=8, drop_rate=1.0), ValueError, "drop_rate"),
    (dict(filters=8, id_skip="yes"), TypeError, "id_skip"),
    (dict(filters=8, momentum=1.0), ValueError, "momentum"),
])
def test_rejects_bad_arguments(kwargs, error, word):
    with pytest.raises(error, match=word):
        MBConv(**kwargs)
