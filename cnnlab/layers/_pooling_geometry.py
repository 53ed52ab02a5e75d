"""Window geometry shared by max pooling with argmax and max unpooling.

Sizes may be Python ints or scalar tensors (a height or width known only at run
time), so the same helpers serve eager calls, traced functions and XLA.
"""

import numpy as np
from keras import ops

PADDINGS = ("valid", "same")


def _pair(value, name):
    """A positive int or a pair of positive ints, as a pair."""
    items = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(items) != 2:
        raise ValueError(f"{name} must be a positive int or a pair of positive ints, got {value!r}")
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (int, np.integer)):
            raise TypeError(
                f"{name} must be a positive int or a pair of positive ints, got {value!r}"
            )
        if item < 1:
            raise ValueError(f"{name} must be >= 1, got {value!r}")
    return int(items[0]), int(items[1])


def _maximum(a, b):
    if isinstance(a, int) and isinstance(b, int):
        return max(a, b)
    return ops.maximum(a, b)


def _geometry(size, window, stride, padding):
    """Output size and (before, after) padding of one pooled axis; ``size`` may be a tensor.

    Keras / TensorFlow rule: "same" gives ``ceil(size / stride)`` outputs and puts the
    odd padded pixel after.
    """
    if padding == "valid":
        return (size - window) // stride + 1, 0, 0
    out = -(-size // stride)
    total = _maximum((out - 1) * stride + window - size, 0)
    return out, total // 2, total - total // 2


def _static_pooled_size(size, window, stride, padding):
    if size is None:
        return None
    if padding == "valid" and size < window:
        return 0
    return _geometry(size, window, stride, padding)[0]


def _window_starts(count, stride, pad_before):
    """Row (or column) of the first cell of each window, in unpadded coordinates."""
    return ops.arange(count, dtype="int32") * stride - pad_before


def _flat_positions(rows, cols, width):
    """``rows[i] * width + cols[j]`` as a ``(1, len(rows), len(cols), 1)`` int32 tensor."""
    flat = ops.expand_dims(rows, 1) * width + ops.expand_dims(cols, 0)
    return ops.expand_dims(ops.expand_dims(flat, 0), -1)


def _cell_offsets(pool_size, width, dtype):
    """``di * width + dj`` for each cell ``(di, dj)`` of a window, shaped ``(1, kh, 1, kw, 1)``."""
    kh, kw = pool_size
    rows = ops.expand_dims(ops.arange(kh, dtype="int32"), 1) * width
    offsets = rows + ops.expand_dims(ops.arange(kw, dtype="int32"), 0)
    return ops.cast(ops.reshape(offsets, (1, kh, 1, kw, 1)), dtype)
