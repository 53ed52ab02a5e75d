"""DeformableConv2D against Keras' Conv2D and a NumPy reference written from the formula."""


import numpy as np
import pytest


keras = pytest.importorskip("keras")

from cnnlab import backend  # noqa: E402
from cnnlab.layers import DeformableConv2D  # noqa: E402
from cnnlab.layers.deformable import deformable_conv2d, sampling_positions  # noqa: E402

to_numpy = keras.ops.convert_to_numpy


def conv_output_size(size, k, s, d, padding):
    span = (k - 1) * d + 1
    if padding == "valid":
        return (size - span) // s + 1, 0
    out = -(-size // s)
    return out, max((out - 1) * s + span - size, 0) // 2


def reference(x, offsets, kernel, bias=None, mask=None, strides=(1, 1), padding="valid",
              dilation=(1, 1)):
    """Deformable convolution by loops, from Dai et al. (2017), eq. (2) and (3)."""
    batch, h, w, c = x.shape
    kh, kw, _, filters = kernel.shape
    ho, top = conv_output_size(h, kh, strides[0], dilation[0], padding)
    wo, left = conv_output_size(w, kw, strides[1], dilation[1], padding)
    groups = offsets.shape[-1] // (2 * kh * kw)
    per_group = c // groups

    def pixel(b, r, q, channels):
        if 0 <= r < h and 0 <= q < w:
            return x[b, r, q, channels]
        return np.zeros(len(range(*channels.indices(c))))

    out = np.zeros((batch, ho, wo, filters))
    for b in range(batch):
        for i in range(ho):
            for j in range(wo):
                for g in range(groups):
                    channels = slice(g * per_group, (g + 1) * per_group)
                    for p in range(kh * kw):
                        a, e = divmod(p, kw)
                        dy, dx = offsets[b, i, j, 2 * (g * kh * kw + p): 2 * (g * kh * kw + p) + 2]
                        y = i * strides[0] - top + a * dilation[0] + dy
                        xx = j * strides[1] - left + e * dilation[1] + dx
                        y0, x0 = int(np.floor(y)), int(np.floor(xx))
                        sample = sum(
                            max(0.0, 1 - abs(y - r)) * max(0.0, 1 - abs(xx - q)) * pixel(b, r, q, channels)
                            for r in (y0, y0 + 1) for q in (x0, x0 + 1)
                        )
                        if mask is not None:
                            sample = sample * mask[b, i, j, g * kh * kw + p]
                        out[b, i, j] += sample @ kernel[a, e, channels]
    if bias is not None:
        out += bias
    return out


def layer_and_conv(x, **kwargs):
    """A fresh DeformableConv2D and a Conv2D holding the same kernel and bias."""
    layer = DeformableConv2D(**kwargs)
    layer.build(x.shape)
    conv_kwargs = {k: v for k, v in kwargs.items()
                   if k not in ("deformable_groups", "modulated", "offset_scale")}
    conv = keras.layers.Conv2D(**conv_kwargs)
    conv.build(x.shape)
    conv.set_weights([to_numpy(layer.kernel), to_numpy(layer.bias)])
    return layer, conv


def set_offsets(layer, offsets):
    """Make the offset branch output the constant vector ``offsets`` everywhere."""
    kernel, bias = layer.offset_conv.get_weights()
    layer.offset_conv.set_weights([np.zeros_like(kernel), np.asarray(offsets, "float32")])


@pytest.fixture
def x():
    return np.random.default_rng(0).normal(size=(2, 9, 8, 4)).astype("float32")


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(kernel_size=3),
        dict(kernel_size=3, padding="same"),
        dict(kernel_size=(2, 3), strides=2, padding="same"),
        dict(kernel_size=3, strides=(2, 1)),
        dict(kernel_size=3, dilation_rate=2, padding="same"),
        dict(kernel_size=1),
        dict(kernel_size=3, padding="same", deformable_groups=2),
        dict(kernel_size=3, padding="same", deformable_groups=4),
    ],
)
def test_zero_offsets_equal_conv2d(x, kwargs):
    layer, conv = layer_and_conv(x, filters=5, **kwargs)
    np.testing.assert_allclose(to_numpy(layer(x)), to_numpy(conv(x)), rtol=1e-5, atol=1e-5)
    assert layer.compute_output_shape(x.shape) == tuple(conv(x).shape)


def shifted_window(x, dy, dx, top, left, rows, cols):
    """The ``rows x cols`` window of the zero-padded plane starting at ``(dy - top, dx - left)``."""
    m = 16
    canvas = np.pad(x, ((0, 0), (m, m), (m, m), (0, 0)))
    r, c = m + dy - top, m + dx - left
    return canvas[:, r: r + rows, c: c + cols]


@pytest.mark.parametrize("dy, dx", [(1, 0), (0, -2), (-3, 2), (2, 5)])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_integer_offsets_convolve_the_shifted_input(x, dy, dx, padding):
    layer, _ = layer_and_conv(x, filters=3, kernel_size=3, padding=padding)
    set_offsets(layer, np.tile([dy, dx], 9))
    valid = keras.layers.Conv2D(3, 3)
    valid.build(x.shape)
    valid.set_weights([to_numpy(layer.kernel), to_numpy(layer.bias)])
    # A plain convolution reads rows top-pad .. H+pad of the zero-padded plane;
    # the shift moves that window by (dy, dx).
    top = 1 if padding == "same" else 0
    window = shifted_window(x, dy, dx, top, top, 9 + 2 * top, 8 + 2 * top)
    np.testing.assert_allclose(to_numpy(layer(x)), to_numpy(valid(window)), rtol=1e-5, atol=1e-5)


def test_each_deformable_group_moves_its_own_channels(x):
    layer, _ = layer_and_conv(x, filters=3, kernel_size=3, deformable_groups=2)
    set_offsets(layer, np.concatenate([np.tile([1, -1], 9), np.zeros(18)]))
    conv = keras.layers.Conv2D(3, 3)
    conv.build(x.shape)
    conv.set_weights([to_numpy(layer.kernel), to_numpy(layer.bias)])
    moved = x.copy()
    moved[..., :2] = shifted_window(x, 1, -1, 0, 0, 9, 8)[..., :2]
    np.testing.assert_allclose(to_numpy(layer(x)), to_numpy(conv(moved)), rtol=1e-5, atol=1e-5)


def test_samples_outside_the_image_read_zero(x):
    layer, _ = layer_and_conv(x, filters=3, kernel_size=3, padding="same")
    # x is 9 x 8 and the 3x3 grid reaches one pixel past the centre: these move
    # every sample to row <= -1, row >= 9, column <= -1 or column >= 8.
    for far in ([40.0, 0.0], [0.0, -40.0], [-10.0, 0.5], [0.0, 9.0], [10.0, -9.5]):
        set_offsets(layer, np.tile(far, 9))
        outputs = to_numpy(layer(x))
        np.testing.assert_allclose(outputs, np.broadcast_to(to_numpy(layer.bias), outputs.shape))


@pytest.mark.parametrize(
    "strides, padding, dilation, groups",
    [((1, 1), "valid", (1, 1), 1), ((1, 1), "same", (1, 1), 2), ((2, 2), "same", (1, 1), 1),
     ((1, 1), "same", (2, 1), 4)],
)
@pytest.mark.parametrize("modulated", [False, True])
def test_fractional_offsets_match_numpy_reference(strides, padding, dilation, groups, modulated):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 6, 7, 4)).astype("float32")
    kernel = rng.normal(size=(3, 3, 4, 5)).astype("float32")
    bias = rng.normal(size=5).astype("float32")
    ho, _ = conv_output_size(6, 3, strides[0], dilation[0], padding)
    wo, _ = conv_output_size(7, 3, strides[1], dilation[1], padding)
    # Offsets up to 4 pixels send many samples partly or wholly outside the image.
    offsets = rng.uniform(-4, 4, size=(2, ho, wo, 2 * 9 * groups)).astype("float32")
    mask = rng.uniform(size=(2, ho, wo, 9 * groups)).astype("float32") if modulated else None
    got = deformable_conv2d(x, offsets, kernel, bias, mask, strides=strides, padding=padding,
                            dilation_rate=dilation)
    want = reference(x, offsets, kernel, bias, mask, strides, padding, dilation)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def test_offset_gradient_matches_finite_differences():
    # float32: JAX computes in float64 only when told to globally. The finite
    # differences are taken in float64 on the NumPy reference.
    rng = np.random.default_rng(2)
    x = rng.normal(size=(1, 5, 5, 2)).astype("float32")
    kernel = rng.normal(size=(3, 3, 2, 2)).astype("float32")
    # Away from integers, where bilinear interpolation is differentiable.
    offsets = rng.uniform(-2, 2, size=(1, 5, 5, 18))
    offsets = np.where(np.abs(offsets - np.round(offsets)) < 0.1, offsets + 0.25, offsets).astype("float32")
    weights = rng.normal(size=(1, 5, 5, 2)).astype("float32")

    def loss(o):
        return float(np.sum(reference(x.astype("float64"), o, kernel.astype("float64"), padding="same") * weights))

    value, (got,) = backend.value_and_grad(
        lambda o: keras.ops.sum(keras.ops.multiply(deformable_conv2d(x, o, kernel, padding="same"), weights)),
        inputs=[offsets],
    )
    assert value == pytest.approx(loss(offsets.astype("float64")), rel=1e-5)
    eps = 1e-6
    for index in [(0, 2, 2, 0), (0, 0, 0, 1), (0, 4, 1, 7), (0, 3, 4, 16), (0, 1, 3, 9)]:
        step = np.zeros(offsets.shape)
        step[index] = eps
        numeric = (loss(offsets + step) - loss(offsets - step)) / (2 * eps)
        assert got[index] == pytest.approx(numeric, rel=1e-4, abs=1e-4)


@pytest.mark.parametrize(
    "strides, padding, groups, modulated",
    [((1, 1), "same", 1, False), ((2, 1), "valid", 2, True), ((1, 1), "same", 4, True)],
)
def test_input_and_kernel_gradients_match_numpy_reference(strides, padding, groups, modulated):
    # The output is linear in the input and in the kernel, so the gradient of
    # sum(output * weights) along any direction is the weighted sum of the
    # reference's output for that direction. Offsets up to 3 pixels make many
    # samples read the same pixel and many fall partly outside the image.
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 5, 6, 4)).astype("float32")
    kernel = rng.normal(size=(3, 3, 4, 2)).astype("float32")
    ho, _ = conv_output_size(5, 3, strides[0], 1, padding)
    wo, _ = conv_output_size(6, 3, strides[1], 1, padding)
    offsets = rng.uniform(-3, 3, size=(2, ho, wo, 2 * 9 * groups)).astype("float32")
    mask = rng.uniform(size=(2, ho, wo, 9 * groups)).astype("float32") if modulated else None
    weights = rng.normal(size=(2, ho, wo, 2)).astype("float32")
    grad_x, grad_kernel = backend.gradients(
        lambda x_t, kernel_t: keras.ops.sum(
            keras.ops.multiply(deformable_conv2d(x_t, offsets, kernel_t, mask=mask, strides=strides, padding=padding),
                               weights)
        ),
        inputs=[x, kernel],
    )

    for _ in range(3):
        dx, dk = rng.normal(size=x.shape), rng.normal(size=kernel.shape)
        for grad, args, direction in ((grad_x, (dx, offsets, kernel), dx),
                                      (grad_kernel, (x, offsets, dk), dk)):
            want = np.sum(reference(*args, mask=mask, strides=strides, padding=padding) * weights)
            assert np.sum(grad * direction) == pytest.approx(want, rel=1e-4, abs=1e-4)


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_zero_offset_input_gradient_equals_conv2d(x, padding):
    layer, conv = layer_and_conv(x, filters=3, kernel_size=3, padding=padding)
    weights = np.random.default_rng(4).normal(size=conv(x).shape).astype("float32")
    grads = [backend.gradients(lambda x_t: keras.ops.sum(keras.ops.multiply(model(x_t), weights)), inputs=[x])[0]
             for model in (layer, conv)]
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-5, atol=1e-5)


@pytest.mark.tensorflow_only
def test_gradients_under_xla_equal_eager_gradients(x):
    # XLA cannot compile the sorted segment sum of the input gradient, so the
    # layer falls back to ops.segment_sum there; both must agree.
    import tensorflow as tf

    rng = np.random.default_rng(5)
    offsets = tf.constant(rng.uniform(-3, 3, size=(2, 9, 8, 36)).astype("float32"))
    kernel = tf.constant(rng.normal(size=(3, 3, 4, 3)).astype("float32"))

    def gradients(inputs, offsets):
        with tf.GradientTape() as tape:
            tape.watch([inputs, offsets])
            loss = tf.reduce_sum(deformable_conv2d(inputs, offsets, kernel, padding="same") ** 2)
        return tape.gradient(loss, [inputs, offsets])

    eager = gradients(tf.constant(x), offsets)
    compiled = tf.function(gradients, jit_compile=True)(tf.constant(x), offsets)
    for want, got in zip(eager, compiled):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def test_gradients_reach_the_offset_and_mask_branches(x):
    layer = DeformableConv2D(4, 3, padding="same", modulated=True)
    layer.build(x.shape)
    grads = backend.gradients(lambda: keras.ops.sum(layer(x) ** 2), variables=layer.trainable_weights)
    assert len(grads) == 6
    for variable, grad in zip(layer.trainable_weights, grads):
        assert np.abs(grad).max() > 0, variable.path


def test_training_moves_the_offsets(x):
    inputs = keras.Input(x.shape[1:])
    outputs = keras.layers.GlobalAveragePooling2D()(DeformableConv2D(2, 3, padding="same")(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    model.fit(x, np.ones((2, 2)), epochs=2, verbose=0)
    offset_kernel = to_numpy(model.layers[1].offset_conv.kernel)
    assert np.abs(offset_kernel).max() > 0


def test_offset_scale_multiplies_the_offset_branch(x):
    layer, _ = layer_and_conv(x, filters=3, kernel_size=3, padding="same", offset_scale=0.5)
    set_offsets(layer, np.tile([2.0, -4.0], 9))
    reference_layer, _ = layer_and_conv(x, filters=3, kernel_size=3, padding="same")
    reference_layer.set_weights(layer.get_weights())
    set_offsets(reference_layer, np.tile([1.0, -2.0], 9))
    np.testing.assert_allclose(to_numpy(layer(x)), to_numpy(reference_layer(x)), rtol=1e-6, atol=1e-6)


def test_modulated_mask_starts_at_one_half(x):
    layer, conv = layer_and_conv(x, filters=3, kernel_size=3, padding="same", modulated=True)
    bias = to_numpy(layer.bias)
    np.testing.assert_allclose(to_numpy(layer(x)) - bias, 0.5 * (to_numpy(conv(x)) - bias), rtol=1e-5, atol=1e-5)


def test_none_batch_and_keras_round_trip(tmp_path, x):
    inputs = keras.Input((9, 8, 4))
    layer = DeformableConv2D(6, 3, strides=2, padding="same", deformable_groups=2,
                             modulated=True, offset_scale=0.1, activation="relu")
    model = keras.Model(inputs, layer(inputs))
    assert model.output_shape == (None, 5, 4, 6)
    rng = np.random.default_rng(3)
    for weight in model.weights:
        weight.assign(rng.normal(scale=0.3, size=weight.shape).astype("float32"))
    path = tmp_path / "deformable.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.layers[1].get_config() == layer.get_config()
    for batch in (1, 3):
        data = rng.normal(size=(batch, 9, 8, 4)).astype("float32")
        np.testing.assert_allclose(loaded.predict(data, verbose=0), model.predict(data, verbose=0),
                                   rtol=1e-6, atol=1e-6)


UNKNOWN_SIZE_CASES = [
    dict(kernel_size=3, padding="same", strides=2, deformable_groups=2, modulated=True),
    dict(kernel_size=(3, 2), padding="valid", dilation_rate=2),
]
SIZES = [(9, 8), (12, 15)]


def unknown_size_model(kwargs, seed=3):
    """A model on keras.Input((None, None, 4)) with random non-zero weights, so that
    the offsets move every sampling point off the grid."""
    inputs = keras.Input((None, None, 4))
    model = keras.Model(inputs, DeformableConv2D(5, **kwargs)(inputs))
    rng = np.random.default_rng(seed)
    for weight in model.weights:
        weight.assign(rng.normal(scale=0.3, size=weight.shape).astype("float32"))
    return model


def fixed_size_outputs(model, kwargs, data):
    """The same weights in a model built for ``data``'s own height and width."""
    inputs = keras.Input(data.shape[1:])
    fixed = keras.Model(inputs, DeformableConv2D(5, **kwargs)(inputs))
    fixed.set_weights(model.get_weights())
    return fixed.predict(data, verbose=0)


def sized_data(size, seed=4):
    return np.random.default_rng(seed).normal(size=(2, *size, 4)).astype("float32")


@pytest.mark.parametrize("kwargs", UNKNOWN_SIZE_CASES)
def test_unknown_height_and_width_match_fixed_size_models(kwargs):
    model = unknown_size_model(kwargs)
    assert model.output_shape == (None, None, None, 5)
    for size in SIZES:
        data = sized_data(size)
        want = fixed_size_outputs(model, kwargs, data)
        np.testing.assert_allclose(model.predict(data, verbose=0), want, rtol=1e-5, atol=1e-5)


@pytest.mark.skipif(keras.backend.backend() == "torch",
                    reason="jit_compile is torch.compile there: about a minute per input size "
                           "on a CPU, and not the XLA or jax.jit path this test is about")
@pytest.mark.parametrize("kwargs", UNKNOWN_SIZE_CASES)
def test_unknown_height_and_width_under_jit_compile(kwargs, xla_allowed):
    # XLA on TensorFlow, jax.jit on JAX: one compiled predict step per input size.
    model = unknown_size_model(kwargs)
    model.compile(jit_compile=True)
    for size in SIZES:
        data = sized_data(size)
        np.testing.assert_allclose(model.predict(data, verbose=0),
                                   fixed_size_outputs(model, kwargs, data), rtol=1e-5, atol=1e-5)


@pytest.mark.tensorflow_only
@pytest.mark.parametrize("jit_compile", [False, True])
def test_one_shape_polymorphic_tf_function_serves_every_size(jit_compile, xla_allowed):
    # One trace with height and width None (what a SavedModel export holds),
    # forward and input gradient, against the fixed-size model.
    import tensorflow as tf

    kwargs = UNKNOWN_SIZE_CASES[0]
    model = unknown_size_model(kwargs)

    @tf.function(jit_compile=jit_compile, input_signature=[tf.TensorSpec((None, None, None, 4))])
    def outputs_and_gradient(inputs):
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            outputs = model(inputs)
            loss = tf.reduce_sum(outputs ** 2)
        return outputs, tape.gradient(loss, inputs)

    for size in SIZES:
        data = sized_data(size)
        outputs, gradient = outputs_and_gradient(tf.constant(data))
        np.testing.assert_allclose(outputs, fixed_size_outputs(model, kwargs, data),
                                   rtol=1e-5, atol=1e-5)
        inputs = tf.constant(data)
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            loss = tf.reduce_sum(model(inputs) ** 2)
        np.testing.assert_allclose(gradient, tape.gradient(loss, inputs), rtol=1e-4, atol=1e-4)
    assert outputs_and_gradient.experimental_get_tracing_count() == 1


def test_unknown_size_keras_round_trip(tmp_path):
    kwargs = UNKNOWN_SIZE_CASES[0]
    model = unknown_size_model(kwargs)
    path = tmp_path / "deformable_any_size.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.input_shape == (None, None, None, 4)
    for size in SIZES:
        data = sized_data(size)
        np.testing.assert_allclose(loaded.predict(data, verbose=0), model.predict(data, verbose=0),
                                   rtol=1e-6, atol=1e-6)


def test_sampling_positions_are_the_grid_plus_offsets():
    offsets = np.zeros((1, 4, 4, 18), "float32")
    offsets[0, 1, 2, 8:10] = [0.5, -1.5]  # kernel point 4, the centre of a 3x3 kernel
    pos = np.asarray(sampling_positions((1, 4, 4, 1), offsets, 3, padding="same"))
    assert pos.shape == (1, 4, 4, 1, 9, 2)
    np.testing.assert_array_equal(pos[0, 0, 0, 0, 0], [-1, -1])
    np.testing.assert_array_equal(pos[0, 0, 0, 0, 8], [1, 1])
    np.testing.assert_array_equal(pos[0, 1, 2, 0, 4], [1.5, 0.5])


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(filters=0, kernel_size=3), ValueError, "filters"),
        (dict(filters=2.0, kernel_size=3), TypeError, "filters"),
        (dict(filters=2, kernel_size=(3, 3, 3)), TypeError, "kernel_size"),
        (dict(filters=2, kernel_size=0), ValueError, "kernel_size"),
        (dict(filters=2, kernel_size=3, padding="causal"), ValueError, "padding"),
        (dict(filters=2, kernel_size=3, deformable_groups=0), ValueError, "deformable_groups"),
        (dict(filters=2, kernel_size=3, modulated="yes"), TypeError, "modulated"),
        (dict(filters=2, kernel_size=3, offset_scale=0), ValueError, "offset_scale"),
        (dict(filters=2, kernel_size=3, offset_scale="0.1"), TypeError, "offset_scale"),
        (dict(filters=2, kernel_size=3, strides=2, dilation_rate=2), ValueError, "dilation_rate"),
        (dict(filters=2, kernel_size=3, use_bias="no"), TypeError, "use_bias"),
        (dict(filters=2, kernel_size=3, use_bias=1), TypeError, "use_bias"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        DeformableConv2D(**kwargs)


def test_bad_input_shapes():
    with pytest.raises(ValueError, match="deformable_groups=3 must divide"):
        DeformableConv2D(2, 3, deformable_groups=3).build((None, 8, 8, 4))
    with pytest.raises(ValueError, match="known channels"):
        DeformableConv2D(2, 3).build((None, None, None, None))
    with pytest.raises(ValueError, match="batch, height, width, channels"):
        DeformableConv2D(2, 3).build((None, 8, 4))
    with pytest.raises(ValueError, match="smaller than the dilated kernel"):
        DeformableConv2D(2, 3, dilation_rate=3).build((None, 6, 6, 4))


def test_plot_sampling_points_maps_positions_to_image_pixels():
    import matplotlib

    matplotlib.use("Agg")
    from cnnlab.plotting import plot_sampling_points

    positions = np.asarray(sampling_positions((8, 8), np.zeros((1, 8, 8, 18), "float32"), 3,
                                              padding="same"))
    points = np.stack([positions[0, 2, 3, 0], positions[0, 5, 5, 0]])
    ax = plot_sampling_points(np.zeros((32, 32)), points, scale=4, shift=3)
    # Two scatters per output pixel: its nine points, then its centre.
    grid = ax.collections[0].get_offsets()
    np.testing.assert_allclose(grid, 4 * points[0][:, ::-1] + 3)
    np.testing.assert_allclose(ax.collections[1].get_offsets(), [[4 * 3 + 3, 4 * 2 + 3]])
    assert len(ax.collections) == 4
    with pytest.raises(ValueError, match="positions"):
        plot_sampling_points(np.zeros((4, 4)), np.zeros((9, 2)))


def test_channels_first_is_refused_by_name(x):
    with pytest.raises(ValueError, match="channels-last tensors .* only: data_format"):
        DeformableConv2D(2, 3, data_format="channels_first")
    layer = DeformableConv2D(2, 3, padding="same", modulated=True, data_format="channels_last")
    layer.build(x.shape)
    rng = np.random.default_rng(9)
    for weight in layer.weights:
        weight.assign(rng.normal(scale=0.3, size=weight.shape).astype("float32"))
    want = to_numpy(layer(x))
    keras.config.set_image_data_format("channels_first")
    try:
        with pytest.raises(ValueError, match="image_data_format"):
            DeformableConv2D(2, 3)
        again = DeformableConv2D(2, 3, padding="same", modulated=True, data_format="channels_last")
        again.build(x.shape)
        again.set_weights(layer.get_weights())
        got = to_numpy(again(x))
    finally:
        keras.config.set_image_data_format("channels_last")
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
