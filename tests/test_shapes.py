"""cnnlab.shapes against Keras' own layers, hand sums from the architecture,
and the lecture's worked examples."""

import doctest
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cnnlab import shapes

SETTINGS = settings(max_examples=80, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])

sizes = st.integers(1, 40)
kernels = st.integers(1, 7)
strides = st.integers(1, 4)
dilations = st.integers(1, 3)
pairs = st.tuples
# Keras refuses strides > 1 together with dilation > 1; drawn apart, not filtered out.
strides_and_dilations = st.one_of(
    pairs(pairs(strides, strides), st.just((1, 1))),
    pairs(st.just((1, 1)), pairs(dilations, dilations)),
)


def keras_shape(*layers, input_shape):
    """Output shape that a chain of Keras layers computes, batch axis dropped;
    None if Keras refuses the configuration."""
    shape = (None, *input_shape)
    try:
        for layer in layers:
            shape = layer.compute_output_shape(shape)
    except ValueError:
        return None
    return tuple(shape[1:])


def ours_or_none(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except ValueError:
        return None


# --------------------------------------------------------------------------
# import and docstrings


def test_import_leaves_tensorflow_keras_and_numpy_out():
    code = ("import sys, cnnlab.shapes; "
            "print(sorted(m for m in ('tensorflow', 'keras', 'numpy') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


def test_docstring_examples():
    # doctest.testmod finds only what a module defines, not what it imports.
    failed = attempted = 0
    for module in (shapes.sizes, shapes.costs, shapes.receptive_fields, shapes.memory,
                   shapes.summary, shapes.summary_table):
        result = doctest.testmod(module)
        failed, attempted = failed + result.failed, attempted + result.attempted
    assert attempted >= 20 and failed == 0


def test_every_public_name_is_importable_from_the_package():
    import importlib

    for name in shapes.__all__:
        assert getattr(shapes, name) is getattr(importlib.import_module("cnnlab.shapes"), name)
        exec(f"from cnnlab.shapes import {name}", {})
    # A name from the package is the one its module defines, not a copy.
    assert shapes.summarize is shapes.summary.summarize
    assert shapes.receptive_field is shapes.receptive_fields.receptive_field
    assert shapes.Summary.__module__ == "cnnlab.shapes.summary_table"


def test_package_modules_stay_readable():
    from pathlib import Path

    for path in Path(shapes.__file__).parent.glob("*.py"):
        assert len(path.read_text().splitlines()) <= 400, path.name


# --------------------------------------------------------------------------
# the lecture's worked examples


def test_worked_shapes_of_lecture_01():
    assert shapes.conv2d_output_shape((32, 32, 3), 1, 5) == (28, 28, 1)
    assert shapes.conv2d_output_shape((32, 32, 3), 4, 5) == (28, 28, 4)
    assert shapes.conv2d_output_shape((28, 28, 4), 10, 5) == (24, 24, 10)
    layer = keras.layers.Conv2D(10, 5)
    assert keras_shape(layer, input_shape=(28, 28, 4)) == (24, 24, 10)


def test_seven_by_seven_three_by_three():
    assert shapes.conv_output_size(7, 3, stride=1) == 5
    assert shapes.conv_output_size(7, 3, stride=2) == 3
    assert shapes.conv_output_size(7, 3, stride=3) == 2  # floor, as Keras
    assert keras_shape(keras.layers.Conv2D(1, 3, strides=3), input_shape=(7, 7, 1)) == (2, 2, 1)
    assert shapes.conv_output_size(7, 3, stride=3, padding=1, strict=True) == 3
    assert shapes.fitting_padding(7, 3, stride=3) == (1, 1)


def test_strict_explains_the_stride_that_does_not_fit():
    with pytest.raises(ValueError) as error:
        shapes.conv_output_size(7, 3, stride=3, strict=True)
    message = str(error.value)
    assert "(7 - 3 + 2*0)/3 + 1 = 7/3 is not an integer" in message
    assert "padding=1 makes it fit" in message
    assert "(7 - 3 + 2*1)/3 + 1 = 3" in message
    with pytest.raises(ValueError, match=r"padding=\(0, 1\)"):
        shapes.conv_output_size(8, 3, stride=2, strict=True)  # only uneven padding fits
    with pytest.raises(ValueError, match="stride 3 does not fit"):
        shapes.conv2d_output_shape((7, 7, 3), 1, 3, strides=3, strict=True)


def test_ten_five_by_five_filters_cost_760_parameters():
    layer = keras.layers.Conv2D(10, 5)
    layer.build((None, 32, 32, 3))
    assert shapes.conv2d_params(3, 10, 5) == layer.count_params() == 10 * (5 * 5 * 3 + 1)
    # The fully-connected layer with the same input and output sizes (lecture: 3072 x 10240).
    assert shapes.dense_params(32 * 32 * 3, 32 * 32 * 10, use_bias=False) == 3072 * 10240


def test_alexnet_conv1_and_pool1():
    assert shapes.conv2d_output_shape((227, 227, 3), 96, 11, strides=4) == (55, 55, 96)
    assert shapes.conv2d_params(3, 96, 11) == 34_944
    assert shapes.pool2d_output_shape((55, 55, 96), 3, strides=2) == (27, 27, 96)


def test_one_by_one_conv_keeps_space():
    assert shapes.conv2d_output_shape((56, 56, 64), 32, 1) == (56, 56, 32)
    assert shapes.conv2d_params(64, 32, 1) == 64 * 32 + 32


# --------------------------------------------------------------------------
# output shapes against Keras


@SETTINGS
@given(h=sizes, w=sizes, c=st.integers(1, 4), filters=st.integers(1, 4),
       k=pairs(kernels, kernels), sd=strides_and_dilations,
       padding=st.sampled_from(["valid", "same"]))
def test_conv2d_output_shape_equals_keras(h, w, c, filters, k, sd, padding):
    s, d = sd
    layer = keras.layers.Conv2D(filters, k, strides=s, padding=padding, dilation_rate=d)
    expected = keras_shape(layer, input_shape=(h, w, c))
    ours = ours_or_none(shapes.conv2d_output_shape, (h, w, c), filters, k, s, padding, d)
    assert ours == expected
    one_axis = [ours_or_none(shapes.conv_output_size, n, k[a], s[a], padding, d[a])
                for a, n in enumerate((h, w))]
    assert (None in one_axis and ours is None) or (*one_axis, filters) == ours


@SETTINGS
@given(h=sizes, w=sizes, k=pairs(kernels, kernels), sd=strides_and_dilations,
       pad=pairs(pairs(st.integers(0, 4), st.integers(0, 4)),
                 pairs(st.integers(0, 4), st.integers(0, 4))))
def test_explicit_padding_equals_zero_padding_then_valid_conv(h, w, k, sd, pad):
    s, d = sd
    expected = keras_shape(keras.layers.ZeroPadding2D(pad),
                           keras.layers.Conv2D(3, k, strides=s, dilation_rate=d),
                           input_shape=(h, w, 2))
    assert ours_or_none(shapes.conv2d_output_shape, (h, w, 2), 3, k, s, pad, d) == expected
    if pad[0][0] == pad[0][1] and pad[1][0] == pad[1][1]:
        symmetric = (pad[0][0], pad[1][0])
        assert ours_or_none(shapes.conv2d_output_shape, (h, w, 2), 3, k, s, symmetric,
                            d) == expected


@SETTINGS
@given(n=sizes, k=kernels, s=strides, d=dilations)
def test_full_padding_equals_zero_padding_of_kernel_minus_one(n, k, s, d):
    assume(s == 1 or d == 1)
    k_eff = d * (k - 1) + 1
    expected = keras_shape(keras.layers.ZeroPadding1D(k_eff - 1),
                           keras.layers.Conv1D(1, k, strides=s, dilation_rate=d),
                           input_shape=(n, 1))
    assert (shapes.conv_output_size(n, k, s, "full", d),) == expected[:1]
    if s == 1 and d == 1:
        assert shapes.conv_output_size(n, k, padding="full") == len(
            np.convolve(np.ones(n), np.ones(k), mode="full"))


@SETTINGS
@given(h=sizes, w=sizes, pool=pairs(st.integers(1, 5), st.integers(1, 5)),
       s=st.none() | pairs(strides, strides), padding=st.sampled_from(["valid", "same"]),
       kind=st.sampled_from([keras.layers.MaxPooling2D, keras.layers.AveragePooling2D]))
def test_pool2d_output_shape_equals_keras(h, w, pool, s, padding, kind):
    expected = keras_shape(kind(pool, strides=s, padding=padding), input_shape=(h, w, 3))
    assert ours_or_none(shapes.pool2d_output_shape, (h, w, 3), pool, s, padding) == expected


@SETTINGS
@given(h=sizes, w=sizes, pool=pairs(st.integers(1, 5), st.integers(1, 5)),
       s=pairs(strides, strides), pad=pairs(st.integers(0, 2), st.integers(0, 2)))
def test_pool2d_explicit_padding_equals_zero_padding_then_valid_pool(h, w, pool, s, pad):
    expected = keras_shape(keras.layers.ZeroPadding2D(pad),
                           keras.layers.MaxPooling2D(pool, strides=s), input_shape=(h, w, 3))
    assert ours_or_none(shapes.pool2d_output_shape, (h, w, 3), pool, s, pad) == expected


@SETTINGS
@given(h=sizes, w=sizes, filters=st.integers(1, 4), k=pairs(kernels, kernels),
       sd=strides_and_dilations, padding=st.sampled_from(["valid", "same"]), data=st.data())
def test_conv2d_transpose_output_shape_equals_keras(h, w, filters, k, sd, padding, data):
    s, d = sd
    output_padding = data.draw(st.none() | pairs(st.integers(0, s[0] - 1),
                                                 st.integers(0, s[1] - 1)))
    layer = keras.layers.Conv2DTranspose(filters, k, strides=s, padding=padding,
                                         output_padding=output_padding, dilation_rate=d)
    expected = keras_shape(layer, input_shape=(h, w, 2))
    if min(expected) < 1:
        expected = None  # Keras computes an empty output ('same', even kernel, size 1); we refuse
    ours = ours_or_none(shapes.conv2d_transpose_output_shape, (h, w, 2), filters, k, s,
                        padding, output_padding, d)
    assert ours == expected


@SETTINGS
@given(h=sizes, w=sizes, k=pairs(kernels, kernels), s=pairs(strides, strides),
       crop=pairs(pairs(st.integers(0, 3), st.integers(0, 3)),
                  pairs(st.integers(0, 3), st.integers(0, 3))), data=st.data())
def test_transpose_explicit_padding_crops_the_valid_output(h, w, k, s, crop, data):
    output_padding = data.draw(pairs(st.integers(0, s[0] - 1), st.integers(0, s[1] - 1)))
    expected = keras_shape(
        keras.layers.Conv2DTranspose(1, k, strides=s, output_padding=output_padding),
        keras.layers.Cropping2D(crop), input_shape=(h, w, 1))
    ours = ours_or_none(shapes.conv2d_transpose_output_shape, (h, w, 1), 1, k, s, crop,
                        output_padding)
    assert ours == expected


@FEW
@given(h=st.integers(1, 9), w=st.integers(1, 9), k=pairs(st.integers(1, 4), st.integers(1, 4)),
       s=pairs(st.integers(1, 3), st.integers(1, 3)), d=st.integers(1, 2),
       padding=st.sampled_from(["valid", "same"]), transpose=st.booleans(), data=st.data())
def test_shapes_of_executed_layers(h, w, k, s, d, padding, transpose, data):
    assume(max(s) == 1 or d == 1)
    x = np.zeros((1, h, w, 2), "float32")
    if transpose:
        # TensorFlow's own CPU kernels, which the native-kernel protection
        # (TF_ENABLE_ONEDNN_OPTS=0) selects, cannot run a dilated transposed
        # convolution; its shapes are checked against compute_output_shape above.
        assume(d == 1 or keras.backend.backend() != "tensorflow"
               or os.environ.get("TF_ENABLE_ONEDNN_OPTS") != "0")
        output_padding = data.draw(st.none() | pairs(st.integers(0, s[0] - 1),
                                                     st.integers(0, s[1] - 1)))
        layer = keras.layers.Conv2DTranspose(3, k, strides=s, padding=padding,
                                             output_padding=output_padding, dilation_rate=d)
        # Sizes Keras would compute as 0 cannot execute; the shape test above covers them.
        ours = ours_or_none(shapes.conv2d_transpose_output_shape, (h, w, 2), 3, k, s, padding,
                            output_padding, d)
        assume(ours is not None)
        # TensorFlow executes a transposed conv as the gradient of the forward conv, so
        # only outputs that the forward conv maps back to (h, w) run (oneDNN aborts on
        # the others, e.g. 'same', width 2, kernel 2, output_padding 0 -> width 1).
        forward = ours_or_none(shapes.conv2d_output_shape, ours, 2, k, s, padding, d)
        assume(forward is not None and forward[:2] == (h, w))
    else:
        layer = keras.layers.Conv2D(3, k, strides=s, padding=padding, dilation_rate=d)
        ours = ours_or_none(shapes.conv2d_output_shape, (h, w, 2), 3, k, s, padding, d)
        assume(ours is not None)
    assert tuple(layer(x).shape[1:]) == ours


@FEW
@given(n=st.integers(1, 12), k=st.integers(1, 5), s=st.integers(1, 4),
       d=st.integers(1, 2))
def test_resolve_padding_same_is_tensorflows_split(n, k, s, d):
    assume(s == 1 or d == 1)
    before, after = shapes.resolve_padding(n, k, s, "same", d)
    x = np.random.default_rng(n).normal(size=(1, n, 1)).astype("float32")
    same = keras.layers.Conv1D(1, k, strides=s, padding="same", dilation_rate=d)
    same.build((None, n, 1))
    valid = keras.layers.Conv1D(1, k, strides=s, dilation_rate=d)
    valid.build((None, n + before + after, 1))
    valid.set_weights(same.get_weights())
    padded = keras.layers.ZeroPadding1D((before, after))(x)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(same(x)), keras.ops.convert_to_numpy(valid(padded)), rtol=1e-5, atol=1e-6)


def test_none_spatial_sizes_propagate():
    assert shapes.conv2d_output_shape((None, 32, 3), 8, 3) == (None, 30, 8)
    assert shapes.pool2d_output_shape((None, None, 3), 2) == (None, None, 3)
    assert shapes.conv2d_transpose_output_shape((None, 4, 3), 2, 3) == (None, 6, 2)
    assert shapes.conv_output_size(None, 3) is None


# --------------------------------------------------------------------------
# parameters and MACs


@SETTINGS
@given(c_groups=st.integers(1, 4), f_groups=st.integers(1, 4), groups=st.integers(1, 3),
       k=pairs(kernels, kernels), use_bias=st.booleans())
def test_conv2d_params_equal_keras(c_groups, f_groups, groups, k, use_bias):
    layer = keras.layers.Conv2D(f_groups * groups, k, groups=groups, use_bias=use_bias)
    layer.build((None, 8, 8, c_groups * groups))
    assert shapes.conv2d_params(c_groups * groups, f_groups * groups, k, use_bias,
                                groups) == layer.count_params()


@SETTINGS
@given(c=st.integers(1, 6), multiplier=st.integers(1, 3), k=pairs(kernels, kernels),
       use_bias=st.booleans())
def test_depthwise_is_conv_with_one_group_per_channel(c, multiplier, k, use_bias):
    layer = keras.layers.DepthwiseConv2D(k, depth_multiplier=multiplier, use_bias=use_bias)
    layer.build((None, 8, 8, c))
    assert shapes.conv2d_params(c, c * multiplier, k, use_bias, groups=c) == layer.count_params()


@SETTINGS
@given(n=st.integers(1, 300), units=st.integers(1, 300), use_bias=st.booleans())
def test_dense_params_equal_keras(n, units, use_bias):
    layer = keras.layers.Dense(units, use_bias=use_bias)
    layer.build((None, n))
    assert shapes.dense_params(n, units, use_bias) == layer.count_params()


def ones_conv_sum(layer, padded_input_shape):
    """Sum of a no-bias, all-ones-kernel conv over an all-ones input: every
    output value is its number of multiply-adds."""
    layer.build((None, *padded_input_shape))
    layer.set_weights([np.ones(w.shape, "float32") for w in layer.get_weights()])
    output = layer(np.ones((1, *padded_input_shape), "float32"))
    return int(keras.ops.convert_to_numpy(output).sum())


@FEW
@given(h=st.integers(1, 12), w=st.integers(1, 12), c=st.integers(1, 3),
       filters=st.integers(1, 3), k=pairs(st.integers(1, 4), st.integers(1, 4)),
       s=pairs(st.integers(1, 3), st.integers(1, 3)), pad=st.integers(0, 2))
def test_conv2d_macs_count_every_product(h, w, c, filters, k, s, pad):
    assume(h + 2 * pad >= k[0] and w + 2 * pad >= k[1])
    # Products with padding zeros count: feed the padded size filled with ones.
    layer = keras.layers.Conv2D(filters, k, strides=s, use_bias=False)
    expected = ones_conv_sum(layer, (h + 2 * pad, w + 2 * pad, c))
    assert shapes.conv2d_macs((h, w, c), filters, k, s, pad) == expected


@FEW
@given(h=st.integers(1, 10), c=st.integers(1, 4), multiplier=st.integers(1, 2),
       k=st.integers(1, 3), d=st.integers(1, 2))
def test_grouped_macs_of_a_depthwise_conv(h, c, multiplier, k, d):
    assume(h >= d * (k - 1) + 1)
    layer = keras.layers.DepthwiseConv2D(k, depth_multiplier=multiplier, dilation_rate=d,
                                         use_bias=False)
    expected = ones_conv_sum(layer, (h, h, c))
    assert shapes.conv2d_macs((h, h, c), c * multiplier, k, dilation_rate=d,
                              groups=c) == expected


def test_dense_macs():
    layer = keras.layers.Dense(7, use_bias=False)
    assert shapes.dense_macs(5, 7) == ones_conv_sum(layer, (5,)) == 35


# --------------------------------------------------------------------------
# receptive field


def backtracked_field(specs, unit):
    """Input positions that unit `unit` of the last layer reads (padding included),
    found by walking each kernel tap back to the input."""
    positions = {unit}
    for kernel, stride, before, dilation in reversed(specs):
        positions = {q * stride - before + t * dilation for q in positions
                     for t in range(kernel)}
    return positions


layer_specs = st.lists(st.tuples(st.integers(1, 7), st.integers(1, 3), st.integers(0, 3),
                                 st.integers(1, 3)), min_size=1, max_size=6)


@SETTINGS
@given(specs=layer_specs)
def test_receptive_field_equals_backtracked_kernel_taps(specs):
    fields = shapes.receptive_field(specs)
    for depth, field in enumerate(fields, start=1):
        first = backtracked_field(specs[:depth], 0)
        second = backtracked_field(specs[:depth], 1)
        assert field.size == max(first) - min(first) + 1
        assert field.start == (max(first) + min(first)) / 2
        assert field.jump == min(second) - min(first)
        assert field.output_size is None


def test_two_three_by_three_see_five_three_see_seven():
    assert [f.size for f in shapes.receptive_field([(3, 1, 1, 1)] * 3)] == [3, 5, 7]
    assert shapes.receptive_field([(5,)])[0].size == 5
    assert shapes.receptive_field([(3, 1, 0, 2)])[0].size == 5  # dilated 3x3 spans 5


@FEW
@given(specs=st.lists(st.tuples(st.integers(1, 4), st.integers(1, 2), st.integers(1, 2)),
                      min_size=1, max_size=4))
def test_receptive_field_equals_keras_impulse_response(specs):
    specs = [(k, s if d == 1 else 1, 0, d) for k, s, d in specs]
    fields = shapes.receptive_field(specs, input_size=40)
    assume(fields[-1].output_size is not None and fields[-1].output_size >= 2)
    # One impulse per batch entry: unit 0's receptive field is where it responds.
    model = keras.Sequential(
        [keras.Input((40, 1))]
        + [keras.layers.Conv1D(1, k, strides=s, dilation_rate=d, use_bias=False,
                               kernel_initializer="ones") for k, s, _, d in specs])
    response = keras.ops.convert_to_numpy(model(np.eye(40, dtype="float32")[..., None]))
    assert response.shape[1] == fields[-1].output_size
    first, second = np.flatnonzero(response[:, 0, 0]), np.flatnonzero(response[:, 1, 0])
    assert fields[-1].size == first.max() - first.min() + 1
    assert fields[-1].start == (first.max() + first.min()) / 2
    assert fields[-1].jump == second.min() - first.min()


def test_receptive_field_same_padding_needs_input_size_with_stride():
    with pytest.raises(ValueError, match="input_size"):
        shapes.receptive_field([(3, 2, "same")])
    fields = shapes.receptive_field([(3, 2, "same"), (3, 1, "same")], input_size=8)
    assert [f.output_size for f in fields] == [4, 4]
    assert fields[0].start == 1.0 - shapes.resolve_padding(8, 3, 2)[0]  # (3-1)/2 - before
    assert shapes.receptive_field([(2, 1, "same")])[0].start == 0.5


# --------------------------------------------------------------------------
# memory


def test_activation_bytes():
    assert shapes.activation_bytes((224, 224, 64)) == np.zeros((224, 224, 64), "float32").nbytes
    assert shapes.activation_bytes((3, 5), "float16") == np.zeros((3, 5), "float16").nbytes
    assert shapes.activation_bytes((3, 5), np.dtype("int8")) == 15
    assert shapes.format_bytes(512) == "512 B"
    assert shapes.format_bytes(3 * 1024**2 // 2) == "1.5 MiB"


# --------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize("call, error, argument", [
    (lambda: shapes.conv_output_size(0, 3), ValueError, "size"),
    (lambda: shapes.conv_output_size(-4, 3), ValueError, "size"),
    (lambda: shapes.conv_output_size(5, 0), ValueError, "kernel_size"),
    (lambda: shapes.conv_output_size(5, 3, stride=0), ValueError, "stride"),
    (lambda: shapes.conv_output_size(5, 3, dilation=0), ValueError, "dilation"),
    (lambda: shapes.conv_output_size(5, 3, padding=-1), ValueError, "padding"),
    (lambda: shapes.conv_output_size(5, 3, padding="half"), ValueError, "'valid', 'same', 'full'"),
    (lambda: shapes.conv_output_size(5, 3, padding=(1, 2, 3)), ValueError, "padding"),
    (lambda: shapes.conv_output_size(3, 5), ValueError, "kernel_size"),
    (lambda: shapes.conv_output_size(3, 3, dilation=2), ValueError, "dilated to 5"),
    (lambda: shapes.conv_output_size(5, True), TypeError, "kernel_size"),
    (lambda: shapes.conv_output_size(5, 3, stride=False), TypeError, "stride"),
    (lambda: shapes.conv_output_size(5.0, 3), TypeError, "size"),
    (lambda: shapes.conv_output_size("5", 3), TypeError, "size"),
    (lambda: shapes.conv_output_size(5, 3, strict=1), TypeError, "strict"),
    (lambda: shapes.conv2d_output_shape((32, 32), 1, 3), ValueError, "input_shape"),
    (lambda: shapes.conv2d_output_shape((1, 32, 32, 3), 1, 3), ValueError, "batch axis"),
    (lambda: shapes.conv2d_output_shape(32, 1, 3), TypeError, "input_shape"),
    (lambda: shapes.conv2d_output_shape((32, 32, 0), 1, 3), ValueError, "channels"),
    (lambda: shapes.conv2d_output_shape((32, 32, 3), 0, 3), ValueError, "filters"),
    (lambda: shapes.conv2d_output_shape((32, 32, 3), 1, (3, 3, 3)), ValueError, "kernel_size"),
    (lambda: shapes.conv2d_output_shape((32, 32, 3), 1, 3, strides=(1,)), ValueError, "strides"),
    (lambda: shapes.conv2d_output_shape((32, 32, 3), 1, 3, padding="causal"), ValueError,
     "padding"),
    (lambda: shapes.conv2d_output_shape((32, 32, 3), 1, 3, padding=(1, "same")), TypeError,
     "padding[1]"),
    (lambda: shapes.conv2d_output_shape((4, 32, 3), 1, 5), ValueError, "input height"),
    (lambda: shapes.pool2d_output_shape((4, 4, 3), 2, padding="full"), ValueError, "padding"),
    (lambda: shapes.pool2d_output_shape((4, 4, 3), 5), ValueError, "pool_size"),
    (lambda: shapes.conv2d_transpose_output_shape((4, 4, 3), 1, 3, strides=2,
                                                  output_padding=2), ValueError, "output_padding"),
    (lambda: shapes.conv2d_transpose_output_shape((1, 1, 3), 1, 1, padding=1), ValueError,
     "padding"),
    (lambda: shapes.conv2d_params(3, 10, 5, use_bias="yes"), TypeError, "use_bias"),
    (lambda: shapes.conv2d_params(3, 10, 5, groups=2), ValueError, "groups"),
    (lambda: shapes.conv2d_params(3, 10, 2.5), TypeError, "kernel_size"),
    (lambda: shapes.dense_params(0, 10), ValueError, "in_features"),
    (lambda: shapes.conv2d_macs((None, 8, 3), 1, 3), ValueError, "input_shape"),
    (lambda: shapes.receptive_field((3, 1)), TypeError, "layers[0]"),
    (lambda: shapes.receptive_field([(3, 1, 0, 1, 1)]), ValueError, "layers[0]"),
    (lambda: shapes.receptive_field([(3, 0)]), ValueError, "layers[0] stride"),
    (lambda: shapes.receptive_field(3), TypeError, "layers"),
    (lambda: shapes.activation_bytes((None, 4)), ValueError, "batch axis"),
    (lambda: shapes.activation_bytes((4, 4), "float33"), ValueError, "dtype"),
    (lambda: shapes.format_bytes(-1), ValueError, "count"),
])
def test_bad_input_names_the_argument(call, error, argument):
    with pytest.raises(error) as raised:
        call()
    assert argument in str(raised.value)


# --------------------------------------------------------------------------
# summarize


def keras_rows_agree(summary, model):
    """Each leaf row's params and output shape equal what Keras reports."""
    by_name = {layer.name: layer for layer in model.layers}
    for row in summary.rows:
        layer = by_name.get(row["name"])
        if layer is None:
            continue
        assert row["params"] == layer.count_params()
        assert row["output_shape"] == tuple(layer.output.shape[1:])


def test_shapes_only_counts_like_a_built_model_and_draws_nothing():
    from keras.src.backend.common import global_state

    def build():
        inputs = keras.Input((12, 12, 3))
        x = keras.layers.Conv2D(8, 3, use_bias=False)(inputs)
        x = keras.layers.BatchNormalization()(x)
        x = keras.layers.DepthwiseConv2D(3, strides=2)(x)
        return keras.Model(inputs, keras.layers.Dense(5)(keras.layers.GlobalAveragePooling2D()(x)))

    with shapes.shapes_only():
        counted = build()
    built = build()
    assert shapes.summarize(counted).totals == shapes.summarize(built).totals
    assert counted.count_params() == built.count_params()
    assert [w.shape for w in counted.weights] == [w.shape for w in built.weights]
    assert not global_state.get_global_attribute("uninitialized_variables", [])
    # A training step closes a stateless scope on JAX; the counted model's weights stay undrawn.
    built.compile("sgd", "mse")
    built.train_on_batch(np.zeros((2, 12, 12, 3), "float32"), np.zeros((2, 5), "float32"))
    assert all(w._value is None for w in counted.weights)


@pytest.mark.slow
def test_vgg16_params_activations_and_macs():
    model = keras.applications.VGG16(weights=None)
    summary = shapes.summarize(model)
    keras_rows_agree(summary, model)
    assert summary.totals["params"] == model.count_params() == 138_357_544

    # Hand sums from the architecture: (convs, channels) per block, 3x3 'same' convs,
    # 2x2 pools, then three FC layers.
    side, channels, activations, macs = 224, 3, 224 * 224 * 3, 0
    for convs, width in [(2, 64), (2, 128), (3, 256), (3, 512), (3, 512)]:
        for _ in range(convs):
            activations += side * side * width
            macs += side * side * width * 3 * 3 * channels
            channels = width
        side //= 2
        activations += side * side * channels
    for fan_in, fan_out in [(side * side * channels, 4096), (4096, 4096), (4096, 1000)]:
        activations += fan_out
        macs += fan_in * fan_out
    assert summary.totals["activations"] == activations
    assert summary.totals["activation_bytes"] == 4 * activations
    assert summary.totals["macs"] == macs
    # CS231n's table lists these layers and they sum to 15,237,608, not the 24M it states.
    assert activations == 15_237_608
    assert summary.totals["complete"]
    text = str(summary)
    assert "138,357,544" in text and "15,237,608" in text and "block5_pool" in text


@pytest.mark.slow
def test_mobilenet_v2_multiply_adds_match_the_paper():
    # Sandler et al. 2018, Table 3: MobileNetV2 (1.0, 224) costs 300M multiply-adds.
    model = keras.applications.MobileNetV2(weights=None)
    summary = shapes.summarize(model)
    assert summary.totals["params"] == model.count_params()
    assert summary.totals["complete"]
    assert abs(summary.totals["macs"] - 300e6) < 0.01 * 300e6


def small_cnn(name="small"):
    inputs = keras.Input((16, 16, 3))
    x = keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="conv")(inputs)
    x = keras.layers.MaxPooling2D(name="pool")(x)
    x = keras.layers.DepthwiseConv2D(3, depth_multiplier=2, name="depthwise")(x)
    x = keras.layers.SeparableConv2D(4, 3, strides=2, padding="same", name="separable")(x)
    x = keras.layers.Conv2DTranspose(5, 3, strides=2, name="transpose")(x)
    x = keras.layers.Conv2D(6, 3, groups=1, dilation_rate=2, name="dilated")(x)
    x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    outputs = keras.layers.Dense(10, name="dense")(x)
    return keras.Model(inputs, outputs, name=name)


def test_summarize_macs_by_layer_type():
    model = small_cnn()
    rows = {row["name"]: row for row in shapes.summarize(model).rows}
    keras_rows_agree(shapes.summarize(model), model)
    assert rows["conv"]["macs"] == shapes.conv2d_macs((16, 16, 3), 8, 3, padding="same")
    assert rows["pool"]["macs"] == 0
    assert rows["depthwise"]["macs"] == shapes.conv2d_macs((8, 8, 8), 16, 3, groups=8)
    assert rows["separable"]["macs"] == (
        shapes.conv2d_macs((6, 6, 16), 16, 3, strides=2, padding="same", groups=16)
        + shapes.conv2d_macs((3, 3, 16), 4, 1))
    # Transposed: every input value meets every kernel weight.
    assert rows["transpose"]["output_shape"] == (7, 7, 5)
    assert rows["transpose"]["macs"] == 3 * 3 * 4 * 3 * 3 * 5
    assert rows["dilated"]["macs"] == shapes.conv2d_macs((7, 7, 5), 6, 3, dilation_rate=2)
    assert rows["bn"]["macs"] == 0 and rows["bn"]["params"] == 4 * 6
    assert rows["flatten"]["view"] and rows["flatten"]["activations"] == 3 * 3 * 6
    assert rows["dense"]["macs"] == shapes.dense_macs(54, 10)


def test_summarize_grouped_conv():
    model = keras.Sequential([keras.Input((9, 9, 4)), keras.layers.Conv2D(6, 3, groups=2)])
    row = shapes.summarize(model).rows[-1]
    assert row["macs"] == 7 * 7 * 6 * 3 * 3 * 2
    assert row["params"] == shapes.conv2d_params(4, 6, 3, groups=2) == model.count_params()


def test_sequential_counts_its_input():
    model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Conv2D(10, 5)])
    summary = shapes.summarize(model)
    assert [row["type"] for row in summary.rows] == ["InputLayer", "Conv2D"]
    assert summary.totals["activations"] == 32 * 32 * 3 + 28 * 28 * 10
    assert summary.totals["params"] == 760


def test_nested_model_is_flattened_and_its_input_not_counted_twice():
    base = small_cnn("base")
    inputs = keras.Input((16, 16, 3))
    outputs = keras.layers.Dense(2, name="head")(base(inputs))
    model = keras.Model(inputs, outputs)
    summary = shapes.summarize(model)
    flat = shapes.summarize(small_cnn())
    names = [row["name"] for row in summary.rows]
    assert "base/conv" in names and "base/dense" in names and names[-1] == "head"
    assert summary.totals["params"] == model.count_params()
    assert summary.totals["activations"] == flat.totals["activations"] + 2
    assert summary.totals["macs"] == flat.totals["macs"] + 10 * 2


def fully_convolutional(size):
    inputs = keras.Input((size, size, 3))
    x = keras.layers.Conv2D(8, 3, strides=2, padding="same", name="down")(inputs)
    x = keras.layers.MaxPooling2D(name="pool")(x)
    x = keras.layers.Conv2DTranspose(4, 3, strides=2, padding="same", name="up")(x)
    return keras.Model(inputs, keras.layers.Conv2D(2, 1, name="head")(x), name="fcn")


def comparable(summary):
    return [{k: v for k, v in row.items() if k != "name"} for row in summary.rows]


def test_input_shape_sizes_a_model_built_with_unknown_sizes():
    unknown = shapes.summarize(fully_convolutional(None))
    assert not unknown.totals["complete"] and "input_shape" in unknown.notes[0]
    assert unknown.rows[1]["activations"] is None and unknown.rows[1]["macs"] is None
    sized = shapes.summarize(fully_convolutional(None), input_shape=(40, 40, 3))
    # Oracle: Keras' own shape inference on the same network built at 40x40.
    built = shapes.summarize(fully_convolutional(40))
    assert comparable(sized) == comparable(built)
    assert sized.totals == built.totals and sized.totals["complete"]


def test_nested_model_with_unknown_sizes_takes_the_outer_shape():
    base = fully_convolutional(None)
    inputs = keras.Input((40, 40, 3))
    model = keras.Model(inputs, base(inputs))
    summary = shapes.summarize(model)
    built = shapes.summarize(fully_convolutional(40))
    assert summary.totals == built.totals
    assert [row["name"] for row in summary.rows][-1] == "fcn/head"


def test_input_shape_that_does_not_fit():
    model = small_cnn()
    with pytest.raises(ValueError, match="input_shape.*'dense'"):
        shapes.summarize(model, input_shape=(24, 24, 3))
    with pytest.raises(ValueError, match="input_shape"):
        shapes.summarize(model, input_shape=(24, 24))
    with pytest.raises(ValueError, match="input_shape"):
        shapes.summarize(model, input_shape=[(16, 16, 3), (16, 16, 3)])
    with pytest.raises(TypeError, match=r"input_shape\[0\]"):
        shapes.summarize(model, input_shape=(16.0, 16, 3))
    with pytest.raises(ValueError, match=r"input_shape\[2\]"):
        shapes.summarize(model, input_shape=(16, 16, 0))


def test_shared_layer_params_count_once():
    inputs = keras.Input((8,))
    shared = keras.layers.Dense(8, name="shared")
    outputs = shared(shared(inputs))
    model = keras.Model(inputs, outputs)
    summary = shapes.summarize(model)
    assert [row["name"] for row in summary.rows][1:] == ["shared", "shared (again)"]
    assert [row["params"] for row in summary.rows] == [0, 72, 0]
    assert summary.totals["params"] == model.count_params() == 72
    assert summary.totals["macs"] == 2 * 64


class Split(keras.layers.Layer):
    def call(self, x):
        return x[..., :1], x[..., 1:]


class Block(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.expand = keras.layers.Conv2D(8, 3, padding="same")
        self.project = keras.layers.Conv2D(4, 1)
        self.norm = keras.layers.BatchNormalization()

    def call(self, x):
        return self.norm(self.project(self.expand(x)))


def test_multi_output_and_composite_layers():
    inputs = keras.Input((16, 16, 3))
    left, right = Split(name="split")(inputs)
    block = Block(name="block")(right)
    outputs = keras.layers.Concatenate(name="concat")([left, block])
    model = keras.Model(inputs, outputs)
    rows = {row["name"]: row for row in shapes.summarize(model).rows}
    assert rows["split"]["output_shape"] == [(16, 16, 1), (16, 16, 2)]
    assert rows["split"]["activations"] == 16 * 16 * 3
    assert rows["block"]["params"] == model.get_layer("block").count_params()
    assert rows["block"]["macs"] == 16 * 16 * 8 * 3 * 3 * 2 + 16 * 16 * 4 * 8
    assert rows["concat"]["output_shape"] == (16, 16, 5) and rows["concat"]["macs"] == 0


def test_unknown_weighted_layer_has_unknown_macs():
    class Scale(keras.layers.Layer):
        def build(self, input_shape):
            self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones")

        def call(self, x):
            return x * self.scale

    model = keras.Sequential([keras.Input((4, 4, 2)), Scale(name="scale")])
    summary = shapes.summarize(model)
    assert summary.rows[-1]["macs"] is None
    assert not summary.totals["complete"]
    assert any("scale" in note for note in summary.notes)
    assert "?" in str(summary)


def test_summary_table_and_html():
    summary = shapes.summarize(small_cnn())
    lines = str(summary).splitlines()
    header = next(line for line in lines if line.startswith("Layer"))
    assert header.split() == ["Layer", "Type", "Output", "shape", "Params", "Activations",
                              "Memory", "MACs"]
    total = lines[-1]
    assert total.startswith("Total") and f"{summary.totals['params']:,}" in total
    assert len({len(line) for line in lines[1:] if line.startswith("-")}) == 1
    html = summary._repr_html_()
    assert html.count("<tr>") == len(summary.rows) + 2


def test_summarize_rejects_unbuilt_and_non_models():
    with pytest.raises(ValueError, match="not built"):
        shapes.summarize(keras.Sequential([keras.layers.Dense(2)]))
    with pytest.raises(TypeError, match="model"):
        shapes.summarize(keras.layers.Dense(2))


def test_subclassed_model_is_one_row():
    class Net(keras.Model):
        def __init__(self):
            super().__init__(name="net")
            self.dense = keras.layers.Dense(3)

        def call(self, x):
            return self.dense(x)

    model = Net()
    model(np.zeros((1, 5), "float32"))
    summary = shapes.summarize(model)
    assert len(summary.rows) == 1
    assert summary.totals["params"] == model.count_params() == 18
    assert summary.rows[0]["macs"] == summary.totals["macs"] == 5 * 3
