"""Undoing pooling: max pooling that remembers where each maximum was, and unpooling.

Keras 3 has nearest-neighbour unpooling (``keras.layers.UpSampling2D``) but no
pooling-with-argmax and no max unpooling (TensorFlow Addons had one; it is
end-of-life and cannot be installed beside Keras 3). The three unpooling methods
of the lecture are:

- nearest neighbour: copy each value into its whole cell (``UpSampling2D``);
- bed of nails: the value in the top-left corner of its cell, zeros elsewhere
  (:class:`BedOfNailsUnpooling2D`);
- max unpooling: the value back at the position its max pooling took it from,
  zeros elsewhere (:class:`MaxPoolingWithArgmax2D` + :class:`MaxUnpooling2D`, as in
  SegNet). The price is the memory of one index per pooled value.

Index convention (that of PyTorch's ``MaxPool2d(return_indices=True)`` and
``MaxUnpool2d``): an index is the flat position ``row * W + col`` of the maximum in
its own ``(sample, channel)`` plane of the *unpadded* input; the first maximum in
row-major window order wins a tie. ``tf.nn.max_pool_with_argmax`` flattens over
channels (and optionally the batch) and does not promise which tie wins, so it is
not used: everything here is ``keras.ops`` (tested on the TensorFlow backend, eagerly,
in ``tf.function`` and under XLA).

Implementation: when the windows tile the input (``strides == pool_size``, the usual
case) both layers work on a ``(N * h, kh, w, kw, C)`` view with one broadcast
comparison and one max pool, and max unpooling has a hand-written gradient; this keeps
a forward + backward pass within about 2x of ``MaxPooling2D`` + ``UpSampling2D``
(``benchmarks/unpooling.py``). Overlapping or gapped windows take a slower path with
one strided slice per window cell.
"""

import keras
import ml_dtypes
import numpy as np
from keras import ops

from .._checks import choice
from ._layout import channels_last
from ._pooling_geometry import (
    PADDINGS,
    _cell_offsets,
    _flat_positions,
    _geometry,
    _maximum,
    _pair,
    _static_pooled_size,
    _window_starts,
)
# The three layers of the lecture stay importable from this module.
from .argmax_pooling import MaxPoolingWithArgmax2D
from .bed_of_nails import BedOfNailsUnpooling2D


def _spread(x, axis, stride, offset, length, fill):
    """Put the entries of ``x`` along ``axis`` at ``offset + k * stride`` of a ``length`` axis.

    Everything else is ``fill``. ``length >= x.shape[axis] * stride + offset`` is the
    caller's promise.
    """
    shape = list(ops.shape(x))
    parts = [x] + [ops.full_like(x, fill)] * (stride - 1)
    spread = ops.stack(parts, axis=axis + 1)
    shape[axis] = shape[axis] * stride
    spread = ops.reshape(spread, shape)
    widths = [[0, 0]] * 4
    widths[axis] = [offset, length - shape[axis] - offset]
    return ops.pad(spread, widths, constant_values=fill)


def _tiled_unpool(values, indices, rows, cols, width, pool_size):
    """Max unpooling when the windows tile the output (``strides == pool_size``).

    An index sits at offset ``di * W + dj`` from its window's first cell; comparing
    that offset with the window's cells places every value in one broadcast
    ``where``. The gradient is written out: ``where``'s own would sum over the
    broadcast cells, which is several times slower than picking each window's one
    written cell with a max pool.
    """
    kh, kw = pool_size
    shape = ops.shape(values)
    n, out_h, out_w, c = shape[0], shape[1], shape[2], shape[3]
    offset = indices - _flat_positions(rows, cols, width)
    hit = ops.equal(
        ops.reshape(offset, (n * out_h, 1, out_w, 1, c)),
        _cell_offsets(pool_size, width, "int32"),
    )
    full_shape = (n, out_h * kh, out_w * kw, c)
    hit_map = ops.reshape(hit, full_shape)

    @ops.custom_gradient
    def place(values):
        broadcast = ops.reshape(values, (n * out_h, 1, out_w, 1, c))
        canvas = ops.reshape(ops.where(hit, broadcast, ops.zeros((), values.dtype)), full_shape)

        def grad(*args, upstream=None):
            if upstream is None:
                (upstream,) = args
            picked = ops.max_pool(ops.where(hit_map, upstream, -np.inf), pool_size, pool_size,
                                  data_format="channels_last")
            # A window whose index points outside it wrote nothing, and owes nothing. Its
            # max pool is -inf, or the lowest finite float on TensorFlow.
            lowest = float(ml_dtypes.finfo(keras.backend.standardize_dtype(picked.dtype)).min)
            return ops.where(ops.greater(picked, lowest), picked, ops.zeros_like(picked))

        return canvas, grad

    return place(values)


def _strided_unpool(values, indices, rows, cols, width, pool_size, strides):
    """Max unpooling for overlapping or gapped windows.

    One plane per window cell holds the values whose maximum sat in that cell; each
    plane is spread onto its strided sub-grid of the padded canvas. Overlapping
    windows can send several values to one position: the largest is kept.
    """
    (kh, kw), (sh, sw) = pool_size, strides
    shape = ops.shape(values)
    out_h, out_w = shape[1], shape[2]
    length_h, length_w = out_h * sh + kh - 1, out_w * sw + kw - 1
    overlap = sh < kh or sw < kw
    fill = -np.inf if overlap else 0.0
    canvas = written = None
    for di in range(kh):
        for dj in range(kw):
            hit = ops.equal(indices, _flat_positions(rows + di, cols + dj, width))
            plane = ops.where(hit, values, ops.full_like(values, fill))
            placed = _spread(_spread(plane, 2, sw, dj, length_w, fill), 1, sh, di, length_h, fill)
            if not overlap:
                canvas = placed if canvas is None else canvas + placed
                continue
            hit = ops.cast(hit, values.dtype)
            hit = _spread(_spread(hit, 2, sw, dj, length_w, 0.0), 1, sh, di, length_h, 0.0)
            canvas = placed if canvas is None else ops.maximum(canvas, placed)
            written = hit if written is None else ops.maximum(written, hit)
    if overlap:
        canvas = ops.where(written > 0, canvas, ops.zeros_like(canvas))
    return canvas


def _eager_value(x):
    """``x`` as a NumPy array when it holds values (eager), ``None`` while tracing."""
    try:
        return ops.convert_to_numpy(x)
    except (NotImplementedError, TypeError):
        return None


@keras.saving.register_keras_serializable(package="cnnlab")
class MaxUnpooling2D(keras.layers.Layer):
    """Max unpooling: each value goes back to the position its max pooling recorded.

    The inverse companion of :class:`MaxPoolingWithArgmax2D` (SegNet's decoder):
    ``unpool([values, indices])`` returns a map of the pre-pooling size that is zero
    everywhere except at ``indices``, where it holds ``values``. ``values`` need not
    be the pooled values themselves: a decoder feeds its own features of the same
    shape. Semantics are those of PyTorch's ``MaxUnpool2d`` for indices produced by
    the matching pooling, with one rule made explicit: where overlapping windows
    (``strides < pool_size``) send two values to one position, the larger is kept
    (PyTorch keeps whichever write lands last, which is not deterministic on a GPU).
    The gradient of a kept value is the gradient at its position; values that were
    not kept get zero.

    The output size is, in order of precedence:

    - ``output_size=(height, width)`` passed to ``call``;
    - the spatial size of a third input, ``unpool([values, indices, reference])``,
      typically the tensor that was pooled;
    - otherwise ``(pooled - 1) * stride + pool_size`` for ``"valid"`` and
      ``pooled * stride`` for ``"same"``.

    An odd input size cannot be recovered from the pooled size alone (5 and 4 both
    pool to 2), which is what the first two forms are for. A size that this pooling
    could not have produced raises ``ValueError``.

    Indices are checked when the layer runs eagerly (range ``[0, H * W)``, and each
    index inside the window of the value it belongs to); inside a compiled function
    they are trusted, and an index outside its window writes nothing.

    Args:
        pool_size: int or pair of ints, as in the matching pooling.
        strides: int or pair of ints; ``None`` means ``pool_size``.
        padding: ``"valid"`` or ``"same"``, as in the matching pooling.
        data_format: ``"channels_last"`` or None (Keras' global setting, which
            must then be channels-last); the layer computes channels last only.

    Input shape:
        A list ``[values, indices]`` or ``[values, indices, reference]``: ``values``
        and ``indices`` ``(batch, pooled_height, pooled_width, channels)`` (indices
        integer), ``reference`` ``(batch, height, width, any)``.

    Output shape:
        ``(batch, height, width, channels)``.

    Example:
        >>> x = np.array([1., 5., 2., 0., 3., 4., 7., 6.]).reshape(1, 2, 4, 1)
        >>> pooled, indices = MaxPoolingWithArgmax2D(2)(x)
        >>> y = MaxUnpooling2D(2)([pooled, indices])
        >>> ops.convert_to_numpy(y)[0, :, :, 0].tolist()
        [[0.0, 5.0, 0.0, 0.0], [0.0, 0.0, 7.0, 0.0]]
    """

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = channels_last(data_format, type(self).__name__)
        self.pool_size = _pair(pool_size, "pool_size")
        self.strides = self.pool_size if strides is None else _pair(strides, "strides")
        self.padding = choice(padding, "padding", PADDINGS)

    def build(self, input_shape):
        self._check_shapes(input_shape)
        self.built = True

    def _check_shapes(self, input_shape, output_size=None):
        """Static checks; returns the (possibly unknown) output height and width."""
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) not in (2, 3):
            raise ValueError(
                f"{self.name} expects [values, indices] or [values, indices, reference], "
                f"got {input_shape!r}"
            )
        values, indices = tuple(input_shape[0]), tuple(input_shape[1])
        if len(values) != 4 or len(indices) != 4:
            raise ValueError(
                f"{self.name}: values and indices must be 4-D (batch, height, width, "
                f"channels), got shapes {values} and {indices}"
            )
        if any(a is not None and b is not None and a != b for a, b in zip(values, indices)):
            raise ValueError(
                f"{self.name}: values and indices must have the same shape, "
                f"got {values} and {indices}"
            )
        if output_size is not None:
            size = _pair(output_size, "output_size")
        elif len(input_shape) == 3:
            reference = tuple(input_shape[2])
            if len(reference) != 4:
                raise ValueError(
                    f"{self.name}: reference must be 4-D (batch, height, width, channels), "
                    f"got shape {reference}"
                )
            size = reference[1:3]
        else:
            size = tuple(
                self._default_size(p, k, s)
                for p, k, s in zip(values[1:3], self.pool_size, self.strides)
            )
        for axis, (full, pooled, k, s) in enumerate(
            zip(size, values[1:3], self.pool_size, self.strides)
        ):
            if full is None or pooled is None:
                continue
            expected = _static_pooled_size(full, k, s, self.padding)
            if expected != pooled:
                raise ValueError(
                    f"{self.name}: output size {tuple(size)} cannot come from this pooling "
                    f"(pool_size={self.pool_size}, strides={self.strides}, "
                    f'padding="{self.padding}"): size {full} pools to {expected} on axis '
                    f"{axis + 1}, but values have {pooled}"
                )
        return size

    def _default_size(self, pooled, window, stride):
        if pooled is None:
            return None
        if self.padding == "valid":
            return (pooled - 1) * stride + window
        return pooled * stride

    def _check_index_dtype(self, indices):
        # Casting would truncate float indices to other positions without a word.
        dtype = keras.backend.standardize_dtype(indices.dtype)
        if not dtype.startswith(("int", "uint")):
            raise TypeError(
                f"{self.name}: indices must be an integer tensor (the second output of "
                f"MaxPoolingWithArgmax2D), got dtype {dtype}"
            )

    def call(self, inputs, output_size=None):
        values, indices = inputs[0], inputs[1]
        self._check_index_dtype(indices)
        shapes = [tuple(t.shape) for t in inputs]
        self._check_shapes(shapes, output_size)
        if output_size is not None:
            height, width = _pair(output_size, "output_size")
        elif len(inputs) == 3:
            reference_shape = ops.shape(inputs[2])
            height, width = reference_shape[1], reference_shape[2]
        else:
            pooled_shape = ops.shape(values)
            height = self._default_size(pooled_shape[1], self.pool_size[0], self.strides[0])
            width = self._default_size(pooled_shape[2], self.pool_size[1], self.strides[1])
        indices = ops.cast(indices, "int32")
        self._check_indices(indices, height, width)
        return self._unpool(values, indices, height, width)

    def _check_indices(self, indices, height, width):
        found = _eager_value(indices)
        if found is None or not isinstance(height, int) or not isinstance(width, int):
            return
        if found.size == 0:
            return
        low, high = int(found.min()), int(found.max())
        if low < 0 or high >= height * width:
            raise ValueError(
                f"{self.name}: indices must be in [0, {height * width}) for a "
                f"{height}x{width} output, got values in [{low}, {high}]"
            )
        rows, cols = np.divmod(found, width)
        for axis, (positions, full, k, s) in enumerate(
            zip((rows, cols), (height, width), self.pool_size, self.strides)
        ):
            pooled = found.shape[axis + 1]
            _, before, _ = _geometry(full, k, s, self.padding)
            starts = np.arange(pooled) * s - before
            starts = starts.reshape((1, -1, 1, 1) if axis == 0 else (1, 1, -1, 1))
            if np.any((positions < starts) | (positions >= starts + k)):
                raise ValueError(
                    f"{self.name}: some indices lie outside the pooling window of their "
                    f"value; indices must come from MaxPoolingWithArgmax2D with "
                    f"pool_size={self.pool_size}, strides={self.strides}, "
                    f'padding="{self.padding}"'
                )

    def _unpool(self, values, indices, height, width):
        (kh, kw), (sh, sw) = self.pool_size, self.strides
        shape = ops.shape(values)
        _, top, _ = _geometry(height, kh, sh, self.padding)
        _, left, _ = _geometry(width, kw, sw, self.padding)
        rows = _window_starts(shape[1], sh, top)
        cols = _window_starts(shape[2], sw, left)
        if self.pool_size == self.strides:
            canvas = _tiled_unpool(values, indices, rows, cols, width, self.pool_size)
        else:
            canvas = _strided_unpool(
                values, indices, rows, cols, width, self.pool_size, self.strides
            )
        # The canvas is in padded coordinates: crop the padding, and zero-fill the
        # remainder rows/columns that "valid" pooling never read.
        canvas_h, canvas_w = ops.shape(canvas)[1], ops.shape(canvas)[2]
        extra_h = _maximum(height + top - canvas_h, 0)
        extra_w = _maximum(width + left - canvas_w, 0)
        if not (isinstance(extra_h, int) and isinstance(extra_w, int) and extra_h == extra_w == 0):
            canvas = ops.pad(canvas, [[0, 0], [0, extra_h], [0, extra_w], [0, 0]])
        if isinstance(height, int) and (top, height, left, width) == (0, canvas_h, 0, canvas_w):
            return canvas
        return canvas[:, top : top + height, left : left + width, :]

    def compute_output_shape(self, input_shape, output_size=None):
        height, width = self._check_shapes(input_shape, output_size)
        values = tuple(input_shape[0])
        return (values[0], height, width, values[3])

    def compute_output_spec(self, inputs, output_size=None):
        self._check_index_dtype(inputs[1])
        shape = self.compute_output_shape([tuple(t.shape) for t in inputs], output_size)
        return keras.KerasTensor(shape, dtype=inputs[0].dtype)

    def get_config(self):
        config = super().get_config()
        config.update(
            {"pool_size": self.pool_size, "strides": self.strides, "padding": self.padding,
             "data_format": self.data_format}
        )
        return config


__all__ = ["BedOfNailsUnpooling2D", "MaxPoolingWithArgmax2D", "MaxUnpooling2D"]
