"""Transposed convolution ("deconvolution") two ways: as a matrix, and as zero insertion.

A convolution is linear, so on a flattened input it is a matrix: ``y = C @ x``. For a
3x3 kernel on a 4x4 input (no padding, stride 1) ``C`` is the lecture's 4x16 matrix:
each row holds the nine kernel weights, placed where that output's window sits. Its
transpose ``C.T`` (16x4) maps the 2x2 output back to a 4x4 map: that is the
*transposed convolution*, ``keras.layers.Conv2DTranspose`` with the same kernel. It
restores the shape, not the values (``C.T`` is not ``C``'s inverse).

The same map can be computed with an ordinary convolution: insert ``stride - 1``
zeros between the input pixels (:func:`zero_insert`), pad ``kernel - 1`` zeros around,
and slide the kernel rotated by 180 degrees (:func:`conv_transpose_by_zero_insertion`).

Conventions are Keras': channels last, kernels ``(KH, KW, C_in, C_out)`` as in
``Conv2D`` (``Conv2DTranspose`` reads the same array as ``(KH, KW, filters, C_in)``:
it maps ``C_out`` channels back to ``C_in``), TensorFlow's ``"same"`` padding with the
odd pixel after. Everything here is NumPy.
"""

import numbers

import numpy as np

from cnnlab import shapes

PADDINGS = ("valid", "same")


def _kernel_4d(kernel):
    kernel = np.asarray(kernel, dtype=float)
    if kernel.ndim == 2:
        return kernel[:, :, None, None], True
    if kernel.ndim != 4:
        raise ValueError(
            f"kernel must have shape (KH, KW) or (KH, KW, C_in, C_out), got {kernel.shape}"
        )
    return kernel, False


def _strides(strides):
    pair = tuple(strides) if isinstance(strides, (tuple, list)) else (strides, strides)
    if len(pair) != 2 or any(
        isinstance(s, bool) or not isinstance(s, numbers.Integral) for s in pair
    ):
        raise TypeError(f"strides must be a positive int or a pair of them, got {strides!r}")
    if min(pair) < 1:
        raise ValueError(f"strides must be >= 1, got {strides!r}")
    return int(pair[0]), int(pair[1])


def _padding(padding):
    if not isinstance(padding, str) or padding not in PADDINGS:
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    return padding


def conv_geometry(input_size, kernel_size, strides=1, padding="valid"):
    """Output size and padding of a 2-D convolution, axis by axis.

    Args:
        input_size: ``(H, W)``.
        kernel_size: ``(KH, KW)``.
        strides: int or pair.
        padding: ``"valid"`` or ``"same"``.

    Returns:
        ``((out_h, out_w), ((top, bottom), (left, right)))``.

    Example:
        >>> conv_geometry((4, 4), (3, 3))
        ((2, 2), ((0, 0), (0, 0)))
    """
    strides = _strides(strides)
    padding = _padding(padding)
    out = shapes.conv2d_output_shape((*input_size, 1), 1, kernel_size, strides, padding)[:2]
    pads = tuple(
        shapes.resolve_padding(size, k, s, padding)
        for size, k, s in zip(input_size, kernel_size, strides)
    )
    return out, pads


def conv_matrix(kernel, input_shape, strides=1, padding="valid"):
    """The matrix ``C`` of a 2-D convolution: ``C @ x.ravel() == conv(x).ravel()``.

    Args:
        kernel: ``(KH, KW)`` for one channel in and out, or ``(KH, KW, C_in, C_out)``
            as in ``keras.layers.Conv2D``.
        input_shape: ``(H, W)`` or ``(H, W, C_in)``.
        strides: int or pair of ints.
        padding: ``"valid"`` or ``"same"``.

    Returns:
        ``C`` of shape ``(out_h * out_w * C_out, H * W * C_in)``; rows and columns
        follow NumPy's row-major ravel of ``(out_h, out_w, C_out)`` and
        ``(H, W, C_in)``. ``C.T @ y.ravel()`` is ``Conv2DTranspose`` of ``y`` with the
        same kernel (output size ``(H, W)``).

    Example:
        >>> conv_matrix(np.arange(1.0, 10.0).reshape(3, 3), (4, 4))[0].tolist()
        [1.0, 2.0, 3.0, 0.0, 4.0, 5.0, 6.0, 0.0, 7.0, 8.0, 9.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    """
    kernel, _ = _kernel_4d(kernel)
    kh, kw, c_in, c_out = kernel.shape
    input_shape = tuple(input_shape)
    if len(input_shape) == 2:
        input_shape = (*input_shape, 1)
    if len(input_shape) != 3:
        raise ValueError(f"input_shape must be (H, W) or (H, W, C_in), got {input_shape}")
    height, width, channels = input_shape
    if channels != c_in:
        raise ValueError(
            f"input_shape has {channels} channels but the kernel expects C_in={c_in}"
        )
    strides = _strides(strides)
    (out_h, out_w), ((top, _), (left, _)) = conv_geometry(
        (height, width), (kh, kw), strides, padding
    )
    matrix = np.zeros((out_h, out_w, c_out, height, width, c_in))
    i, j = np.meshgrid(np.arange(out_h), np.arange(out_w), indexing="ij")
    for di in range(kh):
        for dj in range(kw):
            rows = i * strides[0] - top + di
            cols = j * strides[1] - left + dj
            inside = (rows >= 0) & (rows < height) & (cols >= 0) & (cols < width)
            # Output (i, j, o) reads input (row, col, c) with weight kernel[di, dj, c, o];
            # cells in the padding read zeros and get no column.
            matrix[i[inside], j[inside], :, rows[inside], cols[inside], :] = kernel[di, dj].T
    return matrix.reshape(out_h * out_w * c_out, height * width * c_in)


def zero_insert(x, stride):
    """Insert ``stride - 1`` zeros between neighbouring pixels (not around the border).

    Args:
        x: ``(H, W)``, ``(H, W, C)`` or ``(N, H, W, C)``.
        stride: int or ``(sh, sw)``, the stride of the convolution being transposed.

    Returns:
        ``((H - 1) * sh + 1, (W - 1) * sw + 1)`` spatially, other axes unchanged.

    Example:
        >>> zero_insert(np.array([[1, 2], [3, 4]]), 2).tolist()
        [[1, 0, 2], [0, 0, 0], [3, 0, 4]]
    """
    x = np.asarray(x)
    if x.ndim not in (2, 3, 4):
        raise ValueError(f"x must have shape (H, W), (H, W, C) or (N, H, W, C), got {x.shape}")
    sh, sw = _strides(stride)
    axis = 1 if x.ndim == 4 else 0
    shape = list(x.shape)
    shape[axis] = (shape[axis] - 1) * sh + 1
    shape[axis + 1] = (shape[axis + 1] - 1) * sw + 1
    out = np.zeros(shape, dtype=x.dtype)
    index = [slice(None)] * x.ndim
    index[axis], index[axis + 1] = slice(None, None, sh), slice(None, None, sw)
    out[tuple(index)] = x
    return out


def conv_transpose_by_zero_insertion(y, kernel, strides=1, padding="valid", output_size=None):
    """Transposed convolution as zero insertion + padding + an ordinary convolution.

    Args:
        y: ``(h, w)`` or ``(h, w, C_out)``, the map to upsample.
        kernel: the forward convolution's kernel, ``(KH, KW)`` or
            ``(KH, KW, C_in, C_out)``.
        strides: int or pair, the forward convolution's strides.
        padding: ``"valid"`` or ``"same"``, the forward convolution's padding.
        output_size: ``(H, W)`` of the forward convolution's input; by default the
            size ``keras.layers.Conv2DTranspose`` gives.

    Returns:
        ``(H, W)`` or ``(H, W, C_in)``: equal to ``conv_matrix(...).T @ y.ravel()`` and
        to ``Conv2DTranspose`` with the same kernel.

    Example:
        >>> conv_transpose_by_zero_insertion(np.ones((3, 3)), np.ones((3, 3)), 2, "same").shape
        (6, 6)
    """
    kernel, single = _kernel_4d(kernel)
    kh, kw, c_in, c_out = kernel.shape
    y = np.asarray(y, dtype=float)
    if y.ndim == 2:
        y = y[:, :, None]
    if y.ndim != 3 or y.shape[2] != c_out:
        raise ValueError(
            f"y must have shape (h, w) or (h, w, C_out={c_out}), got {np.shape(y)}"
        )
    strides = _strides(strides)
    padding = _padding(padding)
    if output_size is None:
        output_size = shapes.conv2d_transpose_output_shape(
            y.shape, c_in, (kh, kw), strides, padding
        )[:2]
    (out_h, out_w), ((top, _), (left, _)) = conv_geometry(output_size, (kh, kw), strides, padding)
    if (out_h, out_w) != y.shape[:2]:
        raise ValueError(
            f"output_size {tuple(output_size)} convolves to {(out_h, out_w)}, not to y's "
            f"{y.shape[:2]}"
        )
    # "Full" convolution of the zero-inserted map: every position a kernel tap reaches.
    spread = np.pad(zero_insert(y, strides), ((kh - 1, kh - 1), (kw - 1, kw - 1), (0, 0)))
    windows = np.lib.stride_tricks.sliding_window_view(spread, (kh, kw), axis=(0, 1))
    rotated = kernel[::-1, ::-1]
    full = np.einsum("hwoab,abio->hwi", windows, rotated)
    # ``full`` is indexed in the padded input's coordinates; crop the forward padding.
    rows = max(top + output_size[0] - full.shape[0], 0)
    cols = max(left + output_size[1] - full.shape[1], 0)
    full = np.pad(full, ((0, rows), (0, cols), (0, 0)))
    out = full[top : top + output_size[0], left : left + output_size[1]]
    return out[:, :, 0] if single and out.shape[2] == 1 else out
