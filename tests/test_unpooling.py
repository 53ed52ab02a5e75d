"""MaxPoolingWithArgmax2D, MaxUnpooling2D and BedOfNailsUnpooling2D against loops
written from the definitions (PyTorch's MaxPool2d(return_indices=True) / MaxUnpool2d
semantics), and against Keras' own MaxPooling2D for values and gradients."""

import itertools

import keras
import numpy as np
import pytest

from cnnlab import backend
from cnnlab.layers import BedOfNailsUnpooling2D, MaxPoolingWithArgmax2D, MaxUnpooling2D


def reference_geometry(size, window, stride, padding):
    """(pooled size, padding before) for one axis, Keras' rule."""
    if padding == "valid":
        return (size - window) // stride + 1, 0
    out = -(-size // stride)
    return out, max((out - 1) * stride + window - size, 0) // 2


def reference_pool(x, pool_size, strides, padding):
    """Max pooling with PyTorch's indices, one window at a time.

    Per (sample, channel) plane: the window's cells in row-major order, skipping
    padding; the running maximum starts at -inf with the window's first real cell as
    its index and is replaced only by a strictly larger value (first maximum wins).
    """
    n, h, w, c = x.shape
    (kh, kw), (sh, sw) = pool_size, strides
    out_h, top = reference_geometry(h, kh, sh, padding)
    out_w, left = reference_geometry(w, kw, sw, padding)
    pooled = np.zeros((n, out_h, out_w, c), x.dtype)
    indices = np.zeros((n, out_h, out_w, c), np.int64)
    for b, ch, i, j in itertools.product(range(n), range(c), range(out_h), range(out_w)):
        best, where = -np.inf, None
        for r in range(i * sh - top, i * sh - top + kh):
            for q in range(j * sw - left, j * sw - left + kw):
                if not (0 <= r < h and 0 <= q < w):
                    continue
                if where is None:
                    where = r * w + q
                if x[b, r, q, ch] > best:
                    best, where = x[b, r, q, ch], r * w + q
        pooled[b, i, j, ch], indices[b, i, j, ch] = best, where
    return pooled, indices


def reference_unpool(values, indices, height, width):
    """Scatter each value to its index; where two land on one position, keep the larger."""
    n, _, _, c = values.shape
    out = np.full((n, height * width, c), -np.inf)
    for b, ch in itertools.product(range(n), range(c)):
        for value, index in zip(values[b, ..., ch].ravel(), indices[b, ..., ch].ravel()):
            out[b, index, ch] = max(out[b, index, ch], value)
    out[np.isneginf(out)] = 0.0
    return out.reshape(n, height, width, c)


# (height, width, pool_size, strides, padding): tiling, overlapping, gapped windows,
# odd sizes, non-square windows.
CASES = [
    (4, 4, (2, 2), (2, 2), "valid"),
    (5, 7, (2, 2), (2, 2), "valid"),
    (5, 7, (2, 2), (2, 2), "same"),
    (7, 6, (3, 3), (3, 3), "same"),
    (6, 5, (3, 2), (3, 2), "valid"),
    (5, 7, (3, 3), (2, 2), "valid"),
    (5, 7, (3, 3), (2, 2), "same"),
    (6, 5, (3, 2), (1, 2), "same"),
    (7, 7, (2, 2), (3, 3), "valid"),
    (8, 7, (2, 3), (3, 2), "same"),
    (3, 3, (4, 4), (1, 1), "same"),
]


def case_id(case):
    h, w, k, s, p = case
    return f"{h}x{w}-k{k[0]}{k[1]}-s{s[0]}{s[1]}-{p}"


@pytest.mark.parametrize("case", CASES, ids=case_id)
@pytest.mark.parametrize("kind", ["ties", "distinct"])
def test_pool_and_unpool_match_reference(case, kind):
    h, w, pool_size, strides, padding = case
    rng = np.random.default_rng([CASES.index(case), kind == "ties"])
    if kind == "ties":
        # Three levels on many cells: most windows hold several equal maxima.
        x = rng.integers(0, 3, (2, h, w, 3)).astype("float32")
    else:
        x = rng.permutation(2 * h * w * 3).reshape(2, h, w, 3).astype("float32")
    pooled, indices = MaxPoolingWithArgmax2D(pool_size, strides, padding)(x)
    want_pooled, want_indices = reference_pool(x, pool_size, strides, padding)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(pooled), want_pooled)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(indices), want_indices)
    assert keras.ops.convert_to_numpy(indices).dtype == np.int32

    # Decoder features, not the pooled values: overlapping windows then send different
    # values to one position, and the larger must be kept.
    values = rng.normal(size=want_pooled.shape).astype("float32")
    unpool = MaxUnpooling2D(pool_size, strides, padding)
    out = unpool([values, indices], output_size=(h, w))
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(out), reference_unpool(values, want_indices, h, w)
    )
    out = unpool([values, indices, x])
    assert tuple(out.shape) == x.shape


def test_pooled_equals_keras_max_pooling():
    x = np.random.default_rng(1).normal(size=(3, 9, 11, 4)).astype("float32")
    for padding in ("valid", "same"):
        for pool_size, strides in [(2, None), (3, 2), ((2, 3), (1, 2))]:
            pooled, _ = MaxPoolingWithArgmax2D(pool_size, strides, padding)(x)
            keras_pooled = keras.layers.MaxPooling2D(pool_size, strides, padding)(x)
            np.testing.assert_array_equal(pooled, keras_pooled)


def test_lecture_example_on_a_4x4_plane():
    x = np.array(
        [[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], dtype="float32"
    ).reshape(1, 4, 4, 1)
    pooled, indices = MaxPoolingWithArgmax2D(2)(x)
    assert keras.ops.convert_to_numpy(pooled)[0, :, :, 0].tolist() == [[6, 8], [3, 4]]
    assert keras.ops.convert_to_numpy(indices)[0, :, :, 0].tolist() == [[5, 7], [8, 15]]
    out = keras.ops.convert_to_numpy(MaxUnpooling2D(2)([pooled, indices]))[0, :, :, 0]
    assert out.tolist() == [[0, 0, 0, 0], [0, 6, 0, 8], [3, 0, 0, 0], [0, 0, 0, 4]]


def test_all_minus_inf_window_points_at_its_first_real_cell():
    x = np.full((1, 3, 3, 1), -np.inf, dtype="float32")
    _, indices = MaxPoolingWithArgmax2D(2, padding="same")(x)
    # Windows start at rows/cols 0 and 2 (padding after): first real cells 0, 2, 6, 8.
    assert keras.ops.convert_to_numpy(indices)[0, :, :, 0].tolist() == [[0, 2], [6, 8]]
    _, indices = MaxPoolingWithArgmax2D(3, strides=2, padding="same")(np.zeros((1, 4, 4, 1)))
    # Windows start at -0 (0 padding before) then 2; zeros tie, the first cell wins.
    assert keras.ops.convert_to_numpy(indices)[0, :, :, 0].tolist() == [[0, 2], [8, 10]]


def input_gradient(forward, x, weights):
    return backend.gradients(lambda t: keras.ops.sum(keras.ops.multiply(forward(t), weights)), inputs=[x])[0]


@pytest.mark.parametrize("pool_size, strides, padding", [(2, None, "valid"), (3, 2, "same")])
def test_gradient_equals_max_pooling_gradient(pool_size, strides, padding):
    rng = np.random.default_rng(2)
    x = rng.permutation(2 * 9 * 8 * 3).reshape(2, 9, 8, 3).astype("float32")  # no ties
    ours = MaxPoolingWithArgmax2D(pool_size, strides, padding)
    keras_pool = keras.layers.MaxPooling2D(pool_size, strides, padding)
    weights = rng.normal(size=keras_pool.compute_output_shape(x.shape)).astype("float32")
    np.testing.assert_allclose(
        input_gradient(lambda t: ours(t)[0], x, weights),
        input_gradient(keras_pool, x, weights),
    )


@pytest.mark.parametrize(
    "pool_size, strides, padding",
    [(2, None, "valid"), (2, None, "same"), (3, 2, "same"), (2, 3, "valid")],
)
def test_unpool_gradient_routes_to_the_values(pool_size, strides, padding):
    rng = np.random.default_rng(3)
    x = rng.permutation(2 * 7 * 9 * 2).reshape(2, 7, 9, 2).astype("float32")
    pooled, indices = MaxPoolingWithArgmax2D(pool_size, strides, padding)(x)
    indices = keras.ops.convert_to_numpy(indices)
    values = rng.normal(size=indices.shape).astype("float32")
    weights = rng.normal(size=x.shape).astype("float32")
    unpool = MaxUnpooling2D(pool_size, strides, padding)
    grad = input_gradient(lambda v: unpool([v, indices], output_size=(7, 9)), values, weights)
    # d/dv sum(w * unpool(v)) = w at v's index, where v was the value kept there.
    kept = reference_unpool(values, indices, 7, 9)
    want = np.zeros_like(values)
    for b, i, j, c in np.ndindex(values.shape):
        r, q = divmod(indices[b, i, j, c], 9)
        if kept[b, r, q, c] == values[b, i, j, c]:
            want[b, i, j, c] = weights[b, r, q, c]
    np.testing.assert_allclose(grad, want)


@pytest.mark.tensorflow_only
def test_traced_unpool_trusts_indices_and_an_index_outside_its_window_writes_nothing():
    import tensorflow as tf

    values = tf.constant(np.arange(1.0, 5.0, dtype="float32").reshape(1, 2, 2, 1))
    indices = tf.constant(np.array([1, 2, 8, 0]).reshape(1, 2, 2, 1))  # 0 is not in window 3
    unpool = MaxUnpooling2D(2)

    @tf.function
    def forward(values):
        with tf.GradientTape() as tape:
            tape.watch(values)
            out = unpool([values, indices])
            loss = tf.reduce_sum(out * tf.reshape(tf.range(1.0, 17.0), (1, 4, 4, 1)))
        return out, tape.gradient(loss, values)

    out, grad = forward(values)
    out, grad = out.numpy().ravel(), grad.numpy().ravel()
    np.testing.assert_array_equal(out[[1, 2, 8]], [1, 2, 3])
    assert np.count_nonzero(out) == 3
    np.testing.assert_array_equal(grad, [2, 3, 9, 0])  # the weight at each written position


def encoder_decoder(pool_size=2, strides=None, padding="same"):
    inputs = keras.Input((None, None, 3))
    pooled, indices = MaxPoolingWithArgmax2D(pool_size, strides, padding)(inputs)
    features = keras.layers.Conv2D(3, 3, padding="same")(pooled)
    outputs = MaxUnpooling2D(pool_size, strides, padding)([features, indices, inputs])
    return keras.Model(inputs, outputs)


def test_none_batch_and_spatial_size_and_saving(tmp_path):
    model = encoder_decoder()
    assert model.output_shape == (None, None, None, 3)
    rng = np.random.default_rng(4)
    for shape in [(1, 5, 7, 3), (3, 8, 6, 3)]:
        x = rng.normal(size=shape).astype("float32")
        assert model.predict(x, verbose=0).shape == shape
    path = tmp_path / "unpool.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    x = rng.normal(size=(2, 9, 5, 3)).astype("float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    layer = loaded.layers[1]
    assert isinstance(layer, MaxPoolingWithArgmax2D)
    assert (layer.pool_size, layer.strides, layer.padding) == ((2, 2), (2, 2), "same")


def test_output_size_argument_survives_saving(tmp_path):
    inputs = keras.Input((5, 7, 2))
    pooled, indices = MaxPoolingWithArgmax2D(2)(inputs)
    outputs = MaxUnpooling2D(2)([pooled, indices], output_size=(5, 7))
    model = keras.Model(inputs, outputs)
    assert model.output_shape == (None, 5, 7, 2)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    x = np.random.default_rng(5).normal(size=(2, 5, 7, 2)).astype("float32")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


@pytest.mark.tensorflow_only
@pytest.mark.parametrize("pool_size, strides", [(2, None), (3, 2)])
def test_jit_compiled_function_matches_eager(pool_size, strides, xla_allowed):
    import tensorflow as tf

    pool = MaxPoolingWithArgmax2D(pool_size, strides, "same")
    unpool = MaxUnpooling2D(pool_size, strides, "same")

    def forward(x, weights):
        with tf.GradientTape() as tape:
            tape.watch(x)
            pooled, indices = pool(x)
            out = unpool([pooled, indices, x])
            loss = tf.reduce_sum(out * weights)
        return out, indices, tape.gradient(loss, x)

    rng = np.random.default_rng(6)
    x = tf.constant(rng.normal(size=(2, 7, 9, 3)).astype("float32"))
    weights = tf.constant(rng.normal(size=(2, 7, 9, 3)).astype("float32"))
    compiled = tf.function(forward, jit_compile=True)
    for eager, jitted in zip(forward(x, weights), compiled(x, weights)):
        np.testing.assert_allclose(eager.numpy(), jitted.numpy())


def test_model_trains_with_jit_compile(xla_allowed):
    model = encoder_decoder()
    model.compile(optimizer="adam", loss="mse", jit_compile=True)
    assert model.jit_compile
    x = np.random.default_rng(7).normal(size=(4, 8, 8, 3)).astype("float32")
    history = model.fit(x, x, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()


def test_bed_of_nails_matches_definition():
    x = np.random.default_rng(8).normal(size=(2, 3, 4, 5)).astype("float32")
    out = keras.ops.convert_to_numpy(BedOfNailsUnpooling2D((2, 3))(x))
    want = np.zeros((2, 6, 12, 5), "float32")
    want[:, ::2, ::3, :] = x
    np.testing.assert_array_equal(out, want)
    # Nearest neighbour (UpSampling2D) fills the whole cell; bed of nails only its corner.
    nearest = keras.ops.convert_to_numpy(keras.layers.UpSampling2D((2, 3))(x))
    np.testing.assert_array_equal(nearest[:, ::2, ::3, :], out[:, ::2, ::3, :])


def test_bed_of_nails_none_size_and_saving(tmp_path):
    inputs = keras.Input((None, None, 2))
    model = keras.Model(inputs, BedOfNailsUnpooling2D(3)(inputs))
    assert model.output_shape == (None, None, None, 2)
    model.save(tmp_path / "b.keras")
    loaded = keras.models.load_model(tmp_path / "b.keras")
    x = np.arange(12, dtype="float32").reshape(1, 2, 3, 2)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.predict(x, verbose=0).shape == (1, 6, 9, 2)


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"pool_size": 0}, ValueError),
        ({"pool_size": -2}, ValueError),
        ({"pool_size": (2, 2, 2)}, ValueError),
        ({"pool_size": 2.0}, TypeError),
        ({"pool_size": True}, TypeError),
        ({"strides": 0}, ValueError),
        ({"padding": "full"}, ValueError),
    ],
)
def test_bad_arguments(kwargs, error):
    for layer in (MaxPoolingWithArgmax2D, MaxUnpooling2D):
        with pytest.raises(error, match=next(iter(kwargs))):
            layer(**kwargs)


def test_bad_bed_of_nails_size():
    with pytest.raises(ValueError, match="size"):
        BedOfNailsUnpooling2D(0)
    with pytest.raises(TypeError, match="size"):
        BedOfNailsUnpooling2D("2")


def test_pool_larger_than_input():
    with pytest.raises(ValueError, match="does not fit"):
        MaxPoolingWithArgmax2D(5)(np.zeros((1, 4, 4, 1), "float32"))


def test_mismatched_values_and_indices():
    values = np.zeros((1, 2, 2, 3), "float32")
    with pytest.raises(ValueError, match="same shape"):
        MaxUnpooling2D(2)([values, np.zeros((1, 2, 3, 3), "int32")])
    with pytest.raises(ValueError, match=r"\[values, indices\]"):
        MaxUnpooling2D(2)([values])


def test_indices_out_of_range_or_outside_their_window():
    values = np.ones((1, 2, 2, 1), "float32")
    indices = np.array([0, 2, 8, 16]).reshape(1, 2, 2, 1)
    with pytest.raises(ValueError, match=r"\[0, 16\)"):
        MaxUnpooling2D(2)([values, indices])
    indices = np.array([0, 2, 8, 5]).reshape(1, 2, 2, 1)  # 5 is in window (0, 0), not (1, 1)
    with pytest.raises(ValueError, match="outside the pooling window"):
        MaxUnpooling2D(2)([values, indices])


def test_output_size_that_pooling_cannot_produce():
    values = np.ones((1, 2, 2, 1), "float32")
    indices = np.zeros((1, 2, 2, 1), "int32")
    with pytest.raises(ValueError, match="cannot come from this pooling"):
        MaxUnpooling2D(2)([values, indices], output_size=(6, 4))
    with pytest.raises(ValueError, match="cannot come from this pooling"):
        MaxUnpooling2D(2)([values, indices, np.zeros((1, 4, 7, 1), "float32")])
    for size in [(4, 4), (5, 5)]:  # both pool to 2x2 with "valid"
        corners = np.array([0, 2, 2 * size[1], 2 * size[1] + 2]).reshape(1, 2, 2, 1)
        assert MaxUnpooling2D(2)([values, corners], output_size=size).shape == (1, *size, 1)


def test_compute_output_shape_matches_call():
    x = np.zeros((2, 7, 5, 3), "float32")
    pool = MaxPoolingWithArgmax2D(3, 2, "same")
    pooled, indices = pool(x)
    assert pool.compute_output_shape(x.shape) == (tuple(pooled.shape), tuple(indices.shape))
    unpool = MaxUnpooling2D(3, 2, "same")
    shapes = [pooled.shape, indices.shape]
    # Without a size, "same" assumes pooled * strides: 4 * 2 = 8 rows, 3 * 2 = 6 columns.
    assert unpool.compute_output_shape(shapes) == (2, 8, 6, 3)
    assert unpool.compute_output_shape(shapes, output_size=(7, 5)) == x.shape
    assert tuple(unpool([pooled, indices], output_size=(7, 5)).shape) == x.shape


def test_float_indices_raise_instead_of_being_truncated():
    values = np.ones((1, 2, 2, 1), "float32")
    # 1.9 truncated to 1 would move the value one column without a word.
    indices = np.array([1.9, 2.0, 8.0, 10.0], "float32").reshape(1, 2, 2, 1)
    with pytest.raises(TypeError, match="indices must be an integer tensor"):
        MaxUnpooling2D(2)([values, indices])
    symbolic = [keras.Input((2, 2, 1)), keras.Input((2, 2, 1), dtype="float32")]
    with pytest.raises(TypeError, match="indices must be an integer tensor"):
        MaxUnpooling2D(2)(symbolic)
    for dtype in ("int32", "int64", "uint16"):
        out = MaxUnpooling2D(2)([values, indices.astype(dtype)])
        assert keras.ops.convert_to_numpy(out)[0, 0, 2, 0] == 1.0


@pytest.fixture
def channels_first_globally():
    keras.config.set_image_data_format("channels_first")
    try:
        yield
    finally:
        keras.config.set_image_data_format("channels_last")


@pytest.mark.parametrize("make", [MaxPoolingWithArgmax2D, MaxUnpooling2D, BedOfNailsUnpooling2D])
def test_channels_first_is_refused_by_name(make):
    with pytest.raises(ValueError, match="channels-last tensors .* only: data_format"):
        make(2, data_format="channels_first")
    with pytest.raises(ValueError, match="data_format"):
        make(2, data_format="NHWC")
    assert make(2).get_config()["data_format"] == "channels_last"


@pytest.mark.parametrize("make", [MaxPoolingWithArgmax2D, MaxUnpooling2D, BedOfNailsUnpooling2D])
def test_global_channels_first_needs_an_explicit_channels_last(make, channels_first_globally):
    with pytest.raises(ValueError, match="image_data_format"):
        make(2)
    make(2, data_format="channels_last")


def test_explicit_channels_last_computes_the_same_under_global_channels_first():
    x = np.random.default_rng(7).normal(size=(2, 4, 6, 3)).astype("float32")

    def round_trip():
        pooled, indices = MaxPoolingWithArgmax2D(2, data_format="channels_last")(x)
        unpooled = MaxUnpooling2D(2, data_format="channels_last")([pooled, indices])
        nails = BedOfNailsUnpooling2D(2, data_format="channels_last")(pooled)
        return [keras.ops.convert_to_numpy(t) for t in (pooled, indices, unpooled, nails)]

    want = round_trip()
    keras.config.set_image_data_format("channels_first")
    try:
        got = round_trip()
    finally:
        keras.config.set_image_data_format("channels_last")
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)
