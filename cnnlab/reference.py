"""NumPy reference implementations of convolution and pooling, written from the definitions.

These are the lesson's "by hand" versions: an explicit loop that slides a window over
the (padded) input, so that a reader can follow every multiply-add. They use the same
conventions as Keras (channels last, kernels shaped ``(KH, KW, C_in, C_out)``, the floor
output size, TensorFlow's asymmetric ``"same"`` padding), which is what makes them an
independent oracle for ``keras.layers.Conv2D`` / ``MaxPooling2D`` / ``AveragePooling2D``.
They are slow by design; use Keras for anything larger than a lesson's example.

Shapes: ``x`` is ``(H, W)``, ``(H, W, C)`` or ``(N, H, W, C)``; results keep the rank of
``x`` (a 2-D input with a single filter gives a 2-D map).
"""

import numbers

import numpy as np

PADDINGS = ("valid", "same")


def _pair(value, name, minimum):
    """An int or a pair of ints, as a pair, each >= ``minimum``."""
    items = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(items) != 2:
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    for item in items:
        if isinstance(item, bool) or not isinstance(item, numbers.Integral):
            raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}")
        if item < minimum:
            raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return int(items[0]), int(items[1])


def _as_batch(x):
    """``x`` as a float array of shape (N, H, W, C), and its original rank."""
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"x must be an array of numbers, got {type(x).__name__}")
    array = np.asarray(x)
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise TypeError(f"x must be an array of numbers, got dtype {array.dtype}")
    if array.ndim not in (2, 3, 4):
        raise ValueError(
            f"x must have shape (H, W), (H, W, C) or (N, H, W, C), got shape {array.shape}"
        )
    rank = array.ndim
    if rank == 2:
        array = array[:, :, None]
    if array.ndim == 3:
        array = array[None]
    if 0 in array.shape:
        raise ValueError(f"x must not have an empty dimension, got shape {np.shape(x)}")
    return array.astype(np.float64), rank


def _restore_rank(out, rank):
    if rank == 4:
        return out
    out = out[0]
    if rank == 2 and out.shape[-1] == 1:
        out = out[:, :, 0]
    return out


def _padding_amounts(size, window, stride, padding):
    """(before, after) zero padding on one axis, Keras/TensorFlow's rule for "same"."""
    if padding == "valid":
        return 0, 0
    if padding == "same":
        out = -(-size // stride)
        total = max((out - 1) * stride + window - size, 0)
        # TensorFlow puts the odd pixel after (bottom/right), not before.
        return total // 2, total - total // 2
    return padding, padding


def _check_padding(padding):
    if isinstance(padding, str):
        if padding not in PADDINGS:
            raise ValueError(
                f"padding must be 'valid', 'same' or a non-negative int, got {padding!r}"
            )
        return padding
    if isinstance(padding, bool) or not isinstance(padding, numbers.Integral):
        raise TypeError(f"padding must be 'valid', 'same' or a non-negative int, got {padding!r}")
    if padding < 0:
        raise ValueError(f"padding must be 'valid', 'same' or a non-negative int, got {padding}")
    return int(padding)


def _output_size(size, pad, window, stride, name):
    padded = size + pad[0] + pad[1]
    if window > padded:
        raise ValueError(
            f"{name} ({window}, dilation included) is larger than the padded input ({padded})"
        )
    return (padded - window) // stride + 1


def conv2d(x, kernel, bias=None, stride=1, padding="valid", dilation=1):
    """2-D convolution (cross-correlation, as in every deep-learning library) by sliding window.

    Args:
        x: input, ``(H, W)``, ``(H, W, C)`` or ``(N, H, W, C)``.
        kernel: ``(KH, KW)`` for one filter on a one-channel input, or
            ``(KH, KW, C, F)`` for ``F`` filters, each with as many channels as ``x``.
        bias: ``None`` or ``F`` numbers added to each output channel.
        stride: step of the window, an int or ``(sh, sw)``.
        padding: ``"valid"`` (none), ``"same"`` (Keras' rule: output size
            ``ceil(size / stride)``) or an int of zeros added on every side.
        dilation: spacing between kernel taps, an int or ``(dh, dw)``.

    Returns:
        ``(N, H2, W2, F)`` for a 4-D ``x``, ``(H2, W2, F)`` for 3-D, and for 2-D
        ``(H2, W2)`` when ``F == 1`` (else ``(H2, W2, F)``), where
        ``H2 = floor((H + 2P - (KH - 1) * dh - 1) / sh) + 1``.

    Example:
        >>> conv2d(np.arange(16.0).reshape(4, 4), np.ones((3, 3))).tolist()
        [[45.0, 54.0], [81.0, 90.0]]
    """
    x, rank = _as_batch(x)
    if isinstance(kernel, (str, bytes)) or kernel is None:
        raise TypeError(f"kernel must be an array of numbers, got {type(kernel).__name__}")
    kernel = np.asarray(kernel)
    if not np.issubdtype(kernel.dtype, np.number):
        raise TypeError(f"kernel must be an array of numbers, got dtype {kernel.dtype}")
    if kernel.ndim == 2:
        kernel = kernel[:, :, None, None]
    if kernel.ndim != 4 or 0 in kernel.shape:
        raise ValueError(
            f"kernel must have shape (KH, KW) or (KH, KW, C, F), got shape {np.shape(kernel)}"
        )
    kh, kw, channels, filters = kernel.shape
    if channels != x.shape[-1]:
        raise ValueError(
            f"kernel has {channels} input channel(s) but x has {x.shape[-1]}: "
            "a filter needs as many channels as its input"
        )
    if bias is None:
        bias = np.zeros(filters)
    bias = np.asarray(bias, dtype=np.float64)
    if bias.shape != (filters,):
        raise ValueError(f"bias must have shape ({filters},), one per filter, got {bias.shape}")
    sh, sw = _pair(stride, "stride", 1)
    dh, dw = _pair(dilation, "dilation", 1)
    padding = _check_padding(padding)

    # A dilated kernel covers (k - 1) * d + 1 pixels, with holes between the taps.
    span_h, span_w = (kh - 1) * dh + 1, (kw - 1) * dw + 1
    pad_h = _padding_amounts(x.shape[1], span_h, sh, padding)
    pad_w = _padding_amounts(x.shape[2], span_w, sw, padding)
    out_h = _output_size(x.shape[1], pad_h, span_h, sh, "kernel height")
    out_w = _output_size(x.shape[2], pad_w, span_w, sw, "kernel width")
    padded = np.pad(x, ((0, 0), pad_h, pad_w, (0, 0)))
    weights = kernel.astype(np.float64)

    out = np.zeros((x.shape[0], out_h, out_w, filters))
    for n in range(x.shape[0]):
        for i in range(out_h):
            for j in range(out_w):
                top, left = i * sh, j * sw
                patch = padded[n, top : top + span_h : dh, left : left + span_w : dw, :]
                # One output pixel per filter: the sum over KH x KW x C of patch * filter.
                out[n, i, j, :] = np.tensordot(patch, weights, axes=3) + bias
    return _restore_rank(out, rank)


def _pool2d(x, pool_size, strides, padding, kind):
    x, rank = _as_batch(x)
    ph, pw = _pair(pool_size, "pool_size", 1)
    sh, sw = _pair(pool_size if strides is None else strides, "strides", 1)
    if not isinstance(padding, str) or padding not in PADDINGS:
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    pad_h = _padding_amounts(x.shape[1], ph, sh, padding)
    pad_w = _padding_amounts(x.shape[2], pw, sw, padding)
    out_h = _output_size(x.shape[1], pad_h, ph, sh, "pool height")
    out_w = _output_size(x.shape[2], pad_w, pw, sw, "pool width")
    # Padded cells take part in neither the max nor the mean (Keras' "same" pooling):
    # -inf never wins a max, and the mean divides by the number of real cells only.
    fill = -np.inf if kind == "max" else 0.0
    padded = np.pad(x, ((0, 0), pad_h, pad_w, (0, 0)), constant_values=fill)
    real = np.pad(np.ones(x.shape[1:3]), (pad_h, pad_w))

    out = np.zeros((x.shape[0], out_h, out_w, x.shape[3]))
    for i in range(out_h):
        for j in range(out_w):
            rows = slice(i * sh, i * sh + ph)
            cols = slice(j * sw, j * sw + pw)
            window = padded[:, rows, cols, :]
            if kind == "max":
                out[:, i, j, :] = window.max(axis=(1, 2))
            else:
                out[:, i, j, :] = window.sum(axis=(1, 2)) / real[rows, cols].sum()
    return _restore_rank(out, rank)


def max_pool2d(x, pool_size=2, strides=None, padding="valid"):
    """Max pooling: the largest value in each window, channel by channel.

    Args:
        x: input, ``(H, W)``, ``(H, W, C)`` or ``(N, H, W, C)``.
        pool_size: window size, an int or ``(ph, pw)``.
        strides: step of the window; ``None`` means ``pool_size`` (no overlap).
        padding: ``"valid"`` or ``"same"`` (padded cells are ignored).

    Returns:
        The pooled array, with the rank of ``x``.

    Example:
        >>> max_pool2d(np.arange(16.0).reshape(4, 4)).tolist()
        [[5.0, 7.0], [13.0, 15.0]]
    """
    return _pool2d(x, pool_size, strides, padding, "max")


def avg_pool2d(x, pool_size=2, strides=None, padding="valid"):
    """Average pooling: the mean of each window, channel by channel.

    Args:
        x: input, ``(H, W)``, ``(H, W, C)`` or ``(N, H, W, C)``.
        pool_size: window size, an int or ``(ph, pw)``.
        strides: step of the window; ``None`` means ``pool_size`` (no overlap).
        padding: ``"valid"`` or ``"same"`` (the mean is over the real cells only,
            as in Keras).

    Returns:
        The pooled array, with the rank of ``x``.

    Example:
        >>> avg_pool2d(np.arange(16.0).reshape(4, 4)).tolist()
        [[2.5, 4.5], [10.5, 12.5]]
    """
    return _pool2d(x, pool_size, strides, padding, "average")
