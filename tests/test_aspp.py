"""AtrousSpatialPyramidPooling against the same graph built from Keras' own layers."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from cnnlab.layers import AtrousSpatialPyramidPooling  # noqa: E402
from layer_checks import (  # noqa: E402
    assert_config_round_trip,
    assert_keras_round_trip,
    assert_none_batch,
    randomize,
)


def keras_aspp(input_shape, filters, rates, image_pooling):
    """DeepLab v3's ASPP (paper, section 3.3) wired from stock Keras layers.

    Returns the model and its (conv, batch norm) pairs, branch by branch.
    """
    inputs = keras.Input(input_shape)
    pairs = []

    def conv_bn_relu(x, kernel, rate=1):
        conv = keras.layers.Conv2D(filters, kernel, padding="same", dilation_rate=rate,
                                   use_bias=False)
        bn = keras.layers.BatchNormalization()
        pairs.append((conv, bn))
        return keras.layers.ReLU()(bn(conv(x)))

    branches = [conv_bn_relu(inputs, 1)] + [conv_bn_relu(inputs, 3, r) for r in rates]
    if image_pooling:
        pooled = conv_bn_relu(keras.layers.GlobalAveragePooling2D(keepdims=True)(inputs), 1)
        branches.append(keras.layers.UpSampling2D(input_shape[:2])(pooled))
    x = conv_bn_relu(keras.layers.Concatenate()(branches), 1)
    return keras.Model(inputs, x), pairs


@pytest.mark.parametrize("rates, image_pooling", [((1, 2, 3), True), ((2, 4), False), ((), True)])
def test_matches_keras_layers(rates, image_pooling):
    x = np.random.default_rng(0).normal(size=(2, 6, 7, 5)).astype("float32")
    aspp = AtrousSpatialPyramidPooling(4, rates=rates, image_pooling=image_pooling)
    aspp.build(x.shape)
    randomize(aspp)
    oracle, pairs = keras_aspp(x.shape[1:], 4, rates, image_pooling)
    stacks = aspp.branches + ([aspp.pool_branch] if image_pooling else []) + [aspp.projection]
    assert len(stacks) == len(pairs)
    for (conv, bn), stack in zip(pairs, stacks):
        assert stack[0].dilation_rate == conv.dilation_rate
        conv.set_weights(stack[0].get_weights())
        bn.set_weights(stack[1].get_weights())
    assert oracle.count_params() == aspp.count_params()
    for training in (False, True):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(aspp(x, training=training)), keras.ops.convert_to_numpy(oracle(x, training=training)),
                                   rtol=1e-5, atol=1e-5)


def test_parameter_count_by_hand():
    channels, filters, rates = 32, 16, (1, 2, 3)
    aspp = AtrousSpatialPyramidPooling(filters, rates=rates)
    aspp.build((None, 8, 8, channels))
    bn = 4 * filters  # gamma, beta, moving mean, moving variance
    branches = (channels * filters + bn) + len(rates) * (9 * channels * filters + bn)
    pooling = channels * filters + bn
    projection = (2 + len(rates)) * filters * filters + bn
    assert aspp.count_params() == branches + pooling + projection == 16_512


def test_dilated_branch_reads_2r_plus_1_square():
    """A single impulse reaches the output only within the largest dilated square."""
    rate, size = 3, 15
    aspp = AtrousSpatialPyramidPooling(2, rates=(rate,), image_pooling=False)
    x = np.zeros((2, size, size, 1), "float32")
    # Large impulses of both signs, so that every tap crosses some ReLU.
    x[:, 7, 7, 0] = [100.0, -100.0]
    aspp.build(x.shape)
    randomize(aspp)
    baseline = keras.ops.convert_to_numpy(aspp(np.zeros_like(x)))
    changed = np.abs(keras.ops.convert_to_numpy(aspp(x)) - baseline).max(axis=(0, 3)) > 1e-6
    rows, cols = np.nonzero(changed)
    assert (rows.min(), rows.max(), cols.min(), cols.max()) == (7 - rate, 7 + rate, 7 - rate, 7 + rate)
    # 9 taps of the 3x3 branch; the 1x1 branch's centre is one of them.
    assert changed.sum() == 9


def test_none_batch_none_spatial_and_round_trip(tmp_path):
    assert_none_batch(AtrousSpatialPyramidPooling(8, rates=(1, 2)), (6, 6, 4), (6, 6, 8))
    inputs = keras.Input((None, None, 4))
    assert tuple(AtrousSpatialPyramidPooling(8, rates=(1, 2))(inputs).shape) == (None, None, None, 8)
    x = np.random.default_rng(2).normal(size=(2, 6, 6, 4)).astype("float32")
    layer = AtrousSpatialPyramidPooling(8, rates=(1, 2), dropout=0.1)
    assert_keras_round_trip(layer, x, tmp_path)
    assert_config_round_trip(layer)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(filters=0), ValueError, "filters"),
        (dict(filters=8, rates=3), TypeError, "rates"),
        (dict(filters=8, rates=(1, 0)), ValueError, "rates"),
        (dict(filters=8, image_pooling=1), TypeError, "image_pooling"),
        (dict(filters=8, dropout=1.0), ValueError, "dropout"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        AtrousSpatialPyramidPooling(**kwargs)
