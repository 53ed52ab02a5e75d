"""Inception blocks against plain Keras graphs written branch by branch (as in
the GoogLeNet paper's figure 2 and keras.applications' inception_v3.py)."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from cnnlab.layers import (  # noqa: E402
    GridReduction,
    InceptionModule,
    InceptionV3A,
    InceptionV3B,
    InceptionV3C,
)
from cnnlab.models._applications import copy_weights  # noqa: E402

L = keras.layers


def conv_relu(x, filters, kernel):
    return L.Conv2D(filters, kernel, padding="same", activation="relu")(x)


def conv_bn(x, filters, rows, cols, strides=1, padding="same"):
    # keras.applications.inception_v3.conv2d_bn
    x = L.Conv2D(filters, (rows, cols), strides=strides, padding=padding, use_bias=False)(x)
    x = L.BatchNormalization(scale=False)(x)
    return L.Activation("relu")(x)


def v1_reference(x, f1, r3, f3, r5, f5, proj):
    b1 = conv_relu(x, f1, 1)
    b3 = conv_relu(conv_relu(x, r3, 1) if r3 else x, f3, 3)
    b5 = conv_relu(conv_relu(x, r5, 1) if r5 else x, f5, 5)
    bp = L.MaxPooling2D(3, strides=1, padding="same")(x)
    if proj:
        bp = conv_relu(bp, proj, 1)
    return L.Concatenate()([b1, b3, b5, bp])


def v3a_reference(x):  # mixed0 of keras.applications at 1/8 width
    b1 = conv_bn(x, 8, 1, 1)
    b5 = conv_bn(conv_bn(x, 6, 1, 1), 8, 5, 5)
    bd = conv_bn(conv_bn(conv_bn(x, 8, 1, 1), 12, 3, 3), 12, 3, 3)
    bp = conv_bn(L.AveragePooling2D(3, strides=1, padding="same")(x), 4, 1, 1)
    return L.Concatenate()([b1, b5, bd, bp])


def v3b_reference(x):  # mixed4 at 1/8 width
    b1 = conv_bn(x, 24, 1, 1)
    b7 = conv_bn(conv_bn(conv_bn(x, 16, 1, 1), 16, 1, 7), 24, 7, 1)
    bd = conv_bn(x, 16, 1, 1)
    bd = conv_bn(bd, 16, 7, 1)
    bd = conv_bn(bd, 16, 1, 7)
    bd = conv_bn(bd, 16, 7, 1)
    bd = conv_bn(bd, 24, 1, 7)
    bp = conv_bn(L.AveragePooling2D(3, strides=1, padding="same")(x), 24, 1, 1)
    return L.Concatenate()([b1, b7, bd, bp])


def v3c_reference(x):  # mixed9 at 1/8 width
    b1 = conv_bn(x, 40, 1, 1)
    b3 = conv_bn(x, 48, 1, 1)
    b3 = L.Concatenate()([conv_bn(b3, 48, 1, 3), conv_bn(b3, 48, 3, 1)])
    bd = conv_bn(conv_bn(x, 56, 1, 1), 48, 3, 3)
    bd = L.Concatenate()([conv_bn(bd, 48, 1, 3), conv_bn(bd, 48, 3, 1)])
    bp = conv_bn(L.AveragePooling2D(3, strides=1, padding="same")(x), 24, 1, 1)
    return L.Concatenate()([b1, b3, bd, bp])


def reduction_a_reference(x):  # mixed3 at 1/8 width
    b3 = conv_bn(x, 48, 3, 3, strides=2, padding="valid")
    bd = conv_bn(conv_bn(conv_bn(x, 8, 1, 1), 12, 3, 3), 12, 3, 3, strides=2, padding="valid")
    return L.Concatenate()([b3, bd, L.MaxPooling2D(3, strides=2)(x)])


def reduction_b_reference(x):  # mixed8 at 1/8 width
    b3 = conv_bn(conv_bn(x, 24, 1, 1), 40, 3, 3, strides=2, padding="valid")
    b7 = conv_bn(x, 24, 1, 1)
    b7 = conv_bn(b7, 24, 1, 7)
    b7 = conv_bn(b7, 24, 7, 1)
    b7 = conv_bn(b7, 24, 3, 3, strides=2, padding="valid")
    return L.Concatenate()([b3, b7, L.MaxPooling2D(3, strides=2)(x)])


CASES = {
    "v1": (lambda: InceptionModule(8, 6, 12, 2, 4, 4), lambda x: v1_reference(x, 8, 6, 12, 2, 4, 4), (9, 9, 10)),
    "v1_naive": (
        lambda: InceptionModule(8, None, 12, None, 4, None),
        lambda x: v1_reference(x, 8, None, 12, None, 4, None),
        (9, 9, 10),
    ),
    "v3a": (lambda: InceptionV3A(8, (6, 8), (8, 12, 12), 4), v3a_reference, (9, 9, 24)),
    "v3b": (lambda: InceptionV3B(24, (16, 16, 24), (16, 16, 16, 16, 24), 24), v3b_reference, (9, 9, 96)),
    "v3c": (lambda: InceptionV3C(40, (48, 48), (56, 48, 48), 24), v3c_reference, (5, 5, 160)),
    "reduction_a": (lambda: GridReduction((48,), filters_3x3dbl=(8, 12, 12)), reduction_a_reference, (11, 11, 36)),
    "reduction_b": (
        lambda: GridReduction((24, 40), filters_7x7x3=(24, 24, 24, 24)),
        reduction_b_reference,
        (11, 11, 96),
    ),
}


def _pair(case):
    make_block, reference, shape = CASES[case]
    inputs = keras.Input(shape)
    ours = keras.Model(inputs, make_block()(inputs))
    ref_inputs = keras.Input(shape)
    theirs = keras.Model(ref_inputs, reference(ref_inputs))
    return ours, theirs, shape


def _random_statistics(model, seed):
    # Non-trivial moving statistics, so that a mis-paired BN layer shows in the output.
    rng = np.random.default_rng(seed)
    for weight in model.weights:
        if "moving_variance" in weight.path:
            weight.assign(rng.uniform(0.5, 2.0, weight.shape).astype("float32"))
        elif "moving_mean" in weight.path or "beta" in weight.path:
            weight.assign(rng.normal(size=weight.shape).astype("float32"))


@pytest.mark.parametrize("case", sorted(CASES))
def test_block_equals_plain_keras_graph(case):
    ours, theirs, shape = _pair(case)
    assert ours.output_shape == theirs.output_shape
    assert ours.count_params() == theirs.count_params()
    _random_statistics(theirs, seed=1)
    copy_weights(theirs, ours)
    x = np.random.default_rng(0).normal(size=(2, *shape)).astype("float32")
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0), rtol=1e-4, atol=1e-5)


def test_inception_3a_matches_paper_table():
    # GoogLeNet table 1, inception (3a) on 28x28x192: output 28x28x256, biases included.
    block = InceptionModule(64, 96, 128, 16, 32, 32)
    block.build((None, 28, 28, 192))
    expected = (
        (192 * 64 + 64)
        + (192 * 96 + 96)
        + (3 * 3 * 96 * 128 + 128)
        + (192 * 16 + 16)
        + (5 * 5 * 16 * 32 + 32)
        + (192 * 32 + 32)
    )
    assert block.count_params() == expected == 163_696
    assert block.compute_output_shape((None, 28, 28, 192)) == (None, 28, 28, 256)
    assert [s[-1] for s in block.branch_output_shapes((None, 28, 28, 192))] == [64, 128, 32, 32]


def test_naive_module_passes_input_channels_through_the_pool():
    block = InceptionModule(128, None, 192, None, 96, None)
    # CS231n's naive-module example: 28x28x256 in, 128 + 192 + 96 + 256 = 672 channels out.
    assert block.compute_output_shape((None, 28, 28, 256)) == (None, 28, 28, 672)


def test_batch_norm_v1_adds_four_values_per_channel_and_drops_biases():
    plain = InceptionModule(8, 6, 12, 2, 4, 4)
    normed = InceptionModule(8, 6, 12, 2, 4, 4, batch_norm=True)
    plain.build((None, 9, 9, 10))
    normed.build((None, 9, 9, 10))
    conv_channels = 8 + 6 + 12 + 2 + 4 + 4
    # No conv biases (-1 each), BN beta + moving mean + moving variance (+3 each, scale=False).
    assert normed.count_params() == plain.count_params() + 2 * conv_channels


@pytest.mark.parametrize("case", sorted(CASES))
def test_none_batch_and_save_load_round_trip(case, tmp_path):
    make_block, _, shape = CASES[case]
    inputs = keras.Input(shape)
    model = keras.Model(inputs, make_block()(inputs))
    assert model.output_shape[0] is None
    _random_statistics(model, seed=2)
    x = np.random.default_rng(3).normal(size=(3, *shape)).astype("float32")
    path = tmp_path / f"{case}.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6, atol=1e-6)
    assert loaded.layers[-1].get_config() == model.layers[-1].get_config()


def test_dynamic_spatial_size():
    inputs = keras.Input((None, None, 16))
    model = keras.Model(inputs, InceptionV3A(8, (6, 8), (8, 12, 12), 4)(inputs))
    assert model.predict(np.zeros((1, 7, 5, 16), "float32"), verbose=0).shape == (1, 7, 5, 32)


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda: InceptionModule(0, 6, 12, 2, 4, 4), "filters_1x1"),
        (lambda: InceptionModule(8, 6, 12.0, 2, 4, 4), "filters_3x3"),
        (lambda: InceptionModule(8, 6, 12, 2, 4, 4, batch_norm="yes"), "batch_norm"),
        (lambda: InceptionV3A(8, (6,), (8, 12, 12), 4), "filters_5x5"),
        (lambda: InceptionV3B(n=4), "n"),
        (lambda: InceptionV3C(filters_3x3dbl=(1, 2)), "filters_3x3dbl"),
        (lambda: GridReduction((48,)), "filters_3x3dbl"),
        (lambda: GridReduction((48,), filters_3x3dbl=(8, 12, 12), filters_7x7x3=(1, 1, 1, 1)), "exactly one"),
        (lambda: GridReduction((1, 2, 3), filters_3x3dbl=(8, 12, 12)), "filters_3x3"),
    ],
)
def test_bad_arguments_raise_naming_the_argument(make, name):
    with pytest.raises((ValueError, TypeError), match=name):
        make()


@pytest.mark.parametrize(
    "make, name, error",
    [
        (lambda: InceptionModule(8.0, 6, 12, 2, 4, 4), "filters_1x1", TypeError),
        (lambda: InceptionModule(8, "6", 12, 2, 4, 4), "filters_3x3_reduce", TypeError),
        (lambda: InceptionV3A(8, 48, (8, 12, 12), 4), "filters_5x5", TypeError),
        (lambda: InceptionV3A(8, (6,), (8, 12, 12), 4), "filters_5x5", ValueError),
        (lambda: InceptionV3A(bn_momentum="0.9"), "bn_momentum", TypeError),
        (lambda: InceptionV3A(bn_momentum=1.0), "bn_momentum", ValueError),
        (lambda: InceptionV3B(n=7.0), "n", TypeError),
        (lambda: InceptionV3B(n=4), "n", ValueError),
    ],
)
def test_bad_argument_types_and_values_raise_their_own_error(make, name, error):
    with pytest.raises(error, match=name):
        make()


@pytest.mark.parametrize("size", [1, 2])
def test_grid_reduction_names_its_minimum_input_size(size):
    block = GridReduction((8,), filters_3x3dbl=(4, 6, 6))
    with pytest.raises(ValueError, match="GridReduction needs an input of height and width >= 3"):
        block(keras.Input((size, 9, 4)))
    inputs = keras.Input((None, None, 4))
    assert GridReduction((8,), filters_3x3dbl=(4, 6, 6))(inputs).shape == (None, None, None, 18)
    assert GridReduction((8,), filters_3x3dbl=(4, 6, 6))(keras.Input((3, 3, 4))).shape == (None, 1, 1, 18)


BLOCKS = [
    lambda **kw: InceptionModule(4, 2, 4, 2, 4, 4, **kw),
    lambda **kw: InceptionV3A(4, (2, 4), (2, 4, 4), 4, **kw),
    lambda **kw: InceptionV3B(4, (2, 2, 4), (2, 2, 2, 2, 4), 4, n=3, **kw),
    lambda **kw: InceptionV3C(4, (2, 4), (2, 4, 4), 4, **kw),
    lambda **kw: GridReduction((4,), filters_3x3dbl=(2, 4, 4), **kw),
]


@pytest.mark.parametrize("make", BLOCKS)
def test_channels_first_is_refused_by_name(make):
    with pytest.raises(ValueError, match="channels-last tensors .* only: data_format"):
        make(data_format="channels_first")
    assert make().get_config()["data_format"] == "channels_last"


@pytest.mark.parametrize("make", BLOCKS)
def test_explicit_channels_last_under_global_channels_first(make):
    x = np.random.default_rng(8).normal(size=(2, 9, 9, 6)).astype("float32")
    block = make(data_format="channels_last")
    want = keras.ops.convert_to_numpy(block(x))
    keras.config.set_image_data_format("channels_first")
    try:
        with pytest.raises(ValueError, match="image_data_format"):
            make()
        # Its convolutions and pools keep channels last whatever the global setting.
        again = make(data_format="channels_last")
        again.build(x.shape)
        again.set_weights(block.get_weights())
        got = keras.ops.convert_to_numpy(again(x))
    finally:
        keras.config.set_image_data_format("channels_last")
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
