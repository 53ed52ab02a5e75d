"""conv_matrix, zero_insert and transposed convolution by zero insertion, against
keras.layers.Conv2D / Conv2DTranspose with the same random kernels."""

import keras
import numpy as np
import pytest

from cnnlab.deconv import conv_matrix, conv_transpose_by_zero_insertion, zero_insert


def keras_conv(x, kernel, strides, padding):
    layer = keras.layers.Conv2D(kernel.shape[3], kernel.shape[:2], strides, padding, use_bias=False)
    layer.build((None, *x.shape))
    layer.set_weights([kernel])
    return keras.ops.convert_to_numpy(layer(x[None].astype("float32")))[0]


def keras_conv_transpose(y, kernel, strides, padding, output_size):
    """Conv2DTranspose mapping C_out back to C_in, padded out to ``output_size``."""
    k = kernel.shape[0]
    if padding == "valid":
        output_padding = output_size[0] - ((y.shape[0] - 1) * strides + k)
    else:
        output_padding = output_size[0] - ((y.shape[0] - 1) * strides + k % 2)
    layer = keras.layers.Conv2DTranspose(
        kernel.shape[2], kernel.shape[:2], strides, padding,
        output_padding=output_padding, use_bias=False,
    )
    layer.build((None, *y.shape))
    layer.set_weights([kernel])
    return keras.ops.convert_to_numpy(layer(y[None].astype("float32")))[0]


# (size, kernel, strides, padding); odd kernels for "same" so that Keras' output_padding
# (which must stay below the stride) can reach every input size.
CASES = [
    (4, 3, 1, "valid"),
    (7, 3, 2, "valid"),
    (6, 2, 2, "valid"),
    (8, 3, 2, "valid"),
    (5, 3, 1, "same"),
    (6, 3, 2, "same"),
    (7, 5, 2, "same"),
]


@pytest.mark.parametrize("size, k, strides, padding", CASES)
@pytest.mark.parametrize("c_in, c_out", [(1, 1), (3, 2)])
def test_conv_matrix_is_conv2d_and_its_transpose_is_conv2d_transpose(
    size, k, strides, padding, c_in, c_out
):
    rng = np.random.default_rng([size, k, strides, c_in])
    kernel = rng.normal(size=(k, k, c_in, c_out))
    x = rng.normal(size=(size, size, c_in))
    matrix = conv_matrix(kernel, x.shape, strides, padding)
    y = keras_conv(x, kernel, strides, padding)
    assert matrix.shape == (y.size, x.size)
    np.testing.assert_allclose((matrix @ x.ravel()).reshape(y.shape), y, rtol=1e-4, atol=1e-4)

    y_in = rng.normal(size=y.shape)
    back = keras_conv_transpose(y_in, kernel, strides, padding, (size, size))
    np.testing.assert_allclose(
        (matrix.T @ y_in.ravel()).reshape(x.shape), back, rtol=1e-4, atol=1e-4
    )
    np.testing.assert_allclose(
        conv_transpose_by_zero_insertion(y_in, kernel, strides, padding, (size, size)),
        back, rtol=1e-4, atol=1e-4,
    )


def test_lecture_4x16_matrix():
    w = np.arange(1.0, 10.0).reshape(3, 3)
    matrix = conv_matrix(w, (4, 4))
    assert matrix.shape == (4, 16)
    # Row r is the kernel laid on the 4x4 grid at output (r // 2, r % 2), zeros elsewhere.
    for r in range(4):
        i, j = divmod(r, 2)
        grid = np.zeros((4, 4))
        grid[i : i + 3, j : j + 3] = w
        np.testing.assert_array_equal(matrix[r], grid.ravel())
    assert matrix.T.shape == (16, 4)


def test_non_square_input_and_strides():
    rng = np.random.default_rng(1)
    kernel = rng.normal(size=(3, 2, 2, 3))
    x = rng.normal(size=(7, 6, 2))
    matrix = conv_matrix(kernel, x.shape, (2, 1), "same")
    y = keras_conv(x, kernel, (2, 1), "same")
    np.testing.assert_allclose((matrix @ x.ravel()).reshape(y.shape), y, rtol=1e-4, atol=1e-4)


def test_zero_insert_definition():
    x = np.arange(1, 10).reshape(3, 3)
    out = zero_insert(x, 2)
    assert out.shape == (5, 5)
    want = np.zeros((5, 5), int)
    want[::2, ::2] = x
    np.testing.assert_array_equal(out, want)
    batch = np.ones((2, 3, 4, 5))
    assert zero_insert(batch, (3, 2)).shape == (2, 7, 7, 5)
    assert zero_insert(x, 1).tolist() == x.tolist()


def test_zero_insertion_3x3_to_5x5_equals_conv2d_transpose():
    # Dumoulin & Visin's figure: 3x3 input, 3x3 kernel, stride 2, padding 1 -> 5x5.
    rng = np.random.default_rng(2)
    y = rng.normal(size=(3, 3, 1))
    kernel = rng.normal(size=(3, 3, 1, 1))
    ours = conv_transpose_by_zero_insertion(y, kernel, 2, "same", (5, 5))
    layer = keras.layers.Conv2DTranspose(1, 3, 2, "same", output_padding=0, use_bias=False)
    layer.build((None, 3, 3, 1))
    layer.set_weights([kernel])
    theirs = keras.ops.convert_to_numpy(layer(y[None].astype("float32")))[0]
    assert theirs.shape == (5, 5, 1)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)


def test_default_output_size_is_keras():
    y = np.ones((3, 3))
    assert conv_transpose_by_zero_insertion(y, np.ones((3, 3)), 2, "same").shape == (6, 6)
    assert conv_transpose_by_zero_insertion(y, np.ones((3, 3)), 2, "valid").shape == (7, 7)


def test_bad_arguments():
    with pytest.raises(ValueError, match="kernel"):
        conv_matrix(np.ones(3), (4, 4))
    with pytest.raises(ValueError, match="C_in"):
        conv_matrix(np.ones((3, 3, 2, 1)), (4, 4, 3))
    with pytest.raises(ValueError, match="padding"):
        conv_matrix(np.ones((3, 3)), (4, 4), padding="full")
    with pytest.raises(ValueError, match="strides"):
        conv_matrix(np.ones((3, 3)), (4, 4), strides=0)
    with pytest.raises(TypeError, match="strides"):
        zero_insert(np.ones((2, 2)), 1.5)
    with pytest.raises(ValueError, match="convolves to"):
        conv_transpose_by_zero_insertion(np.ones((3, 3)), np.ones((3, 3)), 1, "valid", (6, 6))
