"""Max pooling that remembers where each maximum was (SegNet's encoder side).

Index convention: see :mod:`cnnlab.layers.unpooling`.
"""

import keras
import numpy as np
from keras import ops

from .._checks import choice
from ._layout import channels_last
from ._pooling_geometry import (
    PADDINGS,
    _cell_offsets,
    _flat_positions,
    _geometry,
    _pair,
    _static_pooled_size,
    _window_starts,
)


def _tiled_argmax(padded, pooled, rows, cols, width, first, pool_size):
    """Indices when the windows tile the input (``strides == pool_size``).

    Each input cell then lies in exactly one window, so "is this cell its window's
    maximum" is one broadcast comparison against the pooled map. Among a window's
    maxima the first in row-major order has the smallest offset ``di * W + dj``,
    which a max pool of the negated offsets picks: no per-cell loop, no argmax.
    """
    kh, kw = pool_size
    shape = ops.shape(pooled)
    n, out_h, out_w, c = shape[0], shape[1], shape[2], shape[3]
    tiled = ops.reshape(padded[:, : out_h * kh, : out_w * kw, :], (n * out_h, kh, out_w, kw, c))
    is_max = ops.equal(tiled, ops.reshape(pooled, (n * out_h, 1, out_w, 1, c)))
    # float32 holds the offsets exactly while a plane has fewer than 2**24 pixels.
    negated = ops.where(is_max, -_cell_offsets(pool_size, width, "float32"), -np.inf)
    negated = ops.reshape(negated, (n, out_h * kh, out_w * kw, c))
    best = ops.max_pool(negated, pool_size, pool_size, data_format="channels_last")
    # Offsets lie in [0, 2**24). A lower maximum means no cell matched: an all -inf
    # window, whose pooled value TensorFlow reports as the lowest float, not -inf.
    found = ops.greater(best, -(2.0**24))
    offset = ops.cast(-ops.where(found, best, 0.0), "int32")
    return ops.where(found, _flat_positions(rows, cols, width) + offset, first)


def _strided_argmax(padded, pooled, rows, cols, width, first, pool_size, strides):
    """Indices for overlapping or gapped windows: one strided slice per window cell.

    The window is walked backwards so that the last write, the one kept, is the
    first maximum in row-major order.
    """
    (kh, kw), (sh, sw) = pool_size, strides
    shape = ops.shape(pooled)
    out_h, out_w = shape[1], shape[2]
    indices = first
    for di in reversed(range(kh)):
        for dj in reversed(range(kw)):
            cell = padded[
                :, di : di + (out_h - 1) * sh + 1 : sh, dj : dj + (out_w - 1) * sw + 1 : sw, :
            ]
            position = _flat_positions(rows + di, cols + dj, width)
            indices = ops.where(ops.equal(cell, pooled), position, indices)
    return indices


@keras.saving.register_keras_serializable(package="cnnlab")
class MaxPoolingWithArgmax2D(keras.layers.Layer):
    """2-D max pooling that also returns where each maximum came from.

    ``pooled`` equals ``keras.layers.MaxPooling2D`` (same values, same gradient:
    it is computed by ``keras.ops.max_pool``); ``indices`` holds, for each pooled
    value, the flat position ``row * W + col`` of its maximum in the input's own
    ``(sample, channel)`` plane, as PyTorch's ``MaxPool2d(return_indices=True)``:

    - ties: the first maximum in row-major order within the window wins;
    - overlapping windows (``strides < pool_size``) may report the same position;
    - ``padding="same"`` pads with -inf, so padding is never a maximum and indices
      always point into the unpadded input. If a whole window is -inf, its index is
      its first real cell (PyTorch's choice too). NaN inputs are not supported.

    Feed both outputs to :class:`MaxUnpooling2D` with the same ``pool_size``,
    ``strides`` and ``padding`` to put the values back.

    Args:
        pool_size: int or pair of ints, the window ``(ph, pw)``.
        strides: int or pair of ints; ``None`` means ``pool_size``.
        padding: ``"valid"`` (windows inside the input) or ``"same"``
            (``ceil(size / stride)`` outputs, as Keras).
        data_format: ``"channels_last"`` or None (Keras' global setting, which
            must then be channels-last); the layer computes channels last only.

    Input shape:
        ``(batch, height, width, channels)``; batch, height and width may be ``None``.

    Output shape:
        A tuple ``(pooled, indices)``, both ``(batch, pooled_height, pooled_width,
        channels)``; ``indices`` is int32.

    Example:
        >>> x = np.array([1., 5., 2., 0., 3., 4., 7., 6.]).reshape(1, 2, 4, 1)
        >>> pooled, indices = MaxPoolingWithArgmax2D(2)(x)
        >>> ops.convert_to_numpy(pooled)[0, :, :, 0].tolist()
        [[5.0, 7.0]]
        >>> ops.convert_to_numpy(indices)[0, :, :, 0].tolist()
        [[1, 6]]
    """

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = channels_last(data_format, type(self).__name__)
        self.pool_size = _pair(pool_size, "pool_size")
        self.strides = self.pool_size if strides is None else _pair(strides, "strides")
        self.padding = choice(padding, "padding", PADDINGS)
        self.input_spec = keras.layers.InputSpec(ndim=4)

    def build(self, input_shape):
        _pooled_shape(input_shape, self.pool_size, self.strides, self.padding, self.name)
        self.built = True

    def call(self, inputs):
        pooled = ops.max_pool(inputs, self.pool_size, self.strides, self.padding,
                              data_format="channels_last")
        return pooled, self._argmax(inputs, pooled)

    def _argmax(self, inputs, pooled):
        shape = ops.shape(inputs)
        height, width = shape[1], shape[2]
        (kh, kw), (sh, sw) = self.pool_size, self.strides
        out_h, top, bottom = _geometry(height, kh, sh, self.padding)
        out_w, left, right = _geometry(width, kw, sw, self.padding)
        padded = inputs
        if self.padding == "same":
            padded = ops.pad(
                inputs, [[0, 0], [top, bottom], [left, right], [0, 0]], constant_values=-np.inf
            )
        rows = _window_starts(out_h, sh, top)
        cols = _window_starts(out_w, sw, left)
        # A window's first real cell: PyTorch's answer for an all -inf window.
        first = _flat_positions(ops.maximum(rows, 0), ops.maximum(cols, 0), width)
        if self.pool_size == self.strides:
            indices = _tiled_argmax(padded, pooled, rows, cols, width, first, self.pool_size)
        else:
            indices = _strided_argmax(
                padded, pooled, rows, cols, width, first, self.pool_size, self.strides
            )
        if self.padding == "same":
            # Padding is -inf: it ties with the maximum only of an all -inf window.
            indices = ops.where(ops.greater(pooled, -np.inf), indices, first)
        return ops.broadcast_to(indices, ops.shape(pooled))

    def compute_output_shape(self, input_shape):
        shape = _pooled_shape(input_shape, self.pool_size, self.strides, self.padding, self.name)
        return shape, shape

    def compute_output_spec(self, inputs):
        shape = self.compute_output_shape(inputs.shape)[0]
        return (
            keras.KerasTensor(shape, dtype=self.compute_dtype),
            keras.KerasTensor(shape, dtype="int32"),
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            {"pool_size": self.pool_size, "strides": self.strides, "padding": self.padding,
             "data_format": self.data_format}
        )
        return config


def _pooled_shape(input_shape, pool_size, strides, padding, name):
    if len(input_shape) != 4:
        raise ValueError(
            f"{name} expects a 4-D input (batch, height, width, channels), "
            f"got shape {tuple(input_shape)}"
        )
    n, h, w, c = input_shape
    out_h = _static_pooled_size(h, pool_size[0], strides[0], padding)
    out_w = _static_pooled_size(w, pool_size[1], strides[1], padding)
    if out_h == 0 or out_w == 0:
        raise ValueError(
            f"{name}: pool_size {pool_size} does not fit in a {h}x{w} input with "
            f'padding="valid"; use a smaller pool_size or padding="same"'
        )
    return (n, out_h, out_w, c)
