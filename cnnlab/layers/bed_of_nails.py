"""Bed-of-nails unpooling: the unpooling that needs no memory of the pooling."""

import math

import keras
from keras import ops

from ._layout import channels_last
from ._pooling_geometry import _pair


def _interleave(planes, pool_size):
    """Tile ``planes[di * kw + dj]`` (each N, h, w, C) into one (N, h * kh, w * kw, C) map.

    Output pixel ``(i * kh + di, j * kw + dj)`` comes from ``planes[di * kw + dj][i, j]``:
    stack-and-reshape, the inverse of space-to-depth.
    """
    kh, kw = pool_size
    shape = ops.shape(planes[0])
    n, h, w, c = shape[0], shape[1], shape[2], shape[3]
    rows = []
    for di in range(kh):
        row = ops.stack(planes[di * kw : (di + 1) * kw], axis=3)
        rows.append(ops.reshape(row, (n, h, w * kw, c)))
    return ops.reshape(ops.stack(rows, axis=2), (n, h * kh, w * kw, c))


@keras.saving.register_keras_serializable(package="cnnlab")
class BedOfNailsUnpooling2D(keras.layers.Layer):
    """Bed-of-nails unpooling: each value in the top-left corner of its cell, zeros elsewhere.

    The unpooling that needs no memory of the pooling; compare
    ``keras.layers.UpSampling2D`` (nearest neighbour: the value copied into the whole
    cell) and :class:`MaxUnpooling2D` (the value where its maximum was).

    Args:
        size: int or pair of ints, the cell ``(rows, cols)`` each input pixel becomes.
        data_format: ``"channels_last"`` or None (Keras' global setting, which
            must then be channels-last); the layer computes channels last only.

    Input shape:
        ``(batch, height, width, channels)``; batch, height and width may be ``None``.

    Output shape:
        ``(batch, height * rows, width * cols, channels)``.

    Example:
        >>> x = np.array([[1., 2.], [3., 4.]]).reshape(1, 2, 2, 1)
        >>> y = BedOfNailsUnpooling2D(2)(x)
        >>> ops.convert_to_numpy(y)[0, :, :, 0].tolist()
        [[1.0, 0.0, 2.0, 0.0], [0.0, 0.0, 0.0, 0.0], [3.0, 0.0, 4.0, 0.0], [0.0, 0.0, 0.0, 0.0]]
    """

    def __init__(self, size=2, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = channels_last(data_format, type(self).__name__)
        self.size = _pair(size, "size")
        self.input_spec = keras.layers.InputSpec(ndim=4)

    def call(self, inputs):
        zeros = ops.zeros_like(inputs)
        cells = math.prod(self.size)
        return _interleave([inputs] + [zeros] * (cells - 1), self.size)

    def compute_output_shape(self, input_shape):
        n, h, w, c = input_shape
        rows, cols = self.size
        return (n, None if h is None else h * rows, None if w is None else w * cols, c)

    def get_config(self):
        config = super().get_config()
        config.update({"size": self.size, "data_format": self.data_format})
        return config
