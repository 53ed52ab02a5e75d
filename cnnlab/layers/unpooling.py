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

import math

import keras
import ml_dtypes
import numpy as np
from keras import ops

from .._checks import choice

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


def _cell_offsets(pool_size, width, dtype):
    """``di * width + dj`` for each cell ``(di, dj)`` of a window, shaped ``(1, kh, 1, kw, 1)``."""
    kh, kw = pool_size
    rows = ops.expand_dims(ops.arange(kh, dtype="int32"), 1) * width
    offsets = rows + ops.expand_dims(ops.arange(kw, dtype="int32"), 0)
    return ops.cast(ops.reshape(offsets, (1, kh, 1, kw, 1)), dtype)


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
    best = ops.max_pool(negated, pool_size, pool_size)
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
            picked = ops.max_pool(ops.where(hit_map, upstream, -np.inf), pool_size, pool_size)
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

    def __init__(self, pool_size=2, strides=None, padding="valid", **kwargs):
        super().__init__(**kwargs)
        self.pool_size = _pair(pool_size, "pool_size")
        self.strides = self.pool_size if strides is None else _pair(strides, "strides")
        self.padding = choice(padding, "padding", PADDINGS)
        self.input_spec = keras.layers.InputSpec(ndim=4)

    def build(self, input_shape):
        _pooled_shape(input_shape, self.pool_size, self.strides, self.padding, self.name)
        self.built = True

    def call(self, inputs):
        pooled = ops.max_pool(inputs, self.pool_size, self.strides, self.padding)
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
            {"pool_size": self.pool_size, "strides": self.strides, "padding": self.padding}
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

    def __init__(self, pool_size=2, strides=None, padding="valid", **kwargs):
        super().__init__(**kwargs)
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

    def call(self, inputs, output_size=None):
        values, indices = inputs[0], inputs[1]
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
        shape = self.compute_output_shape([tuple(t.shape) for t in inputs], output_size)
        return keras.KerasTensor(shape, dtype=inputs[0].dtype)

    def get_config(self):
        config = super().get_config()
        config.update(
            {"pool_size": self.pool_size, "strides": self.strides, "padding": self.padding}
        )
        return config


@keras.saving.register_keras_serializable(package="cnnlab")
class BedOfNailsUnpooling2D(keras.layers.Layer):
    """Bed-of-nails unpooling: each value in the top-left corner of its cell, zeros elsewhere.

    The unpooling that needs no memory of the pooling; compare
    ``keras.layers.UpSampling2D`` (nearest neighbour: the value copied into the whole
    cell) and :class:`MaxUnpooling2D` (the value where its maximum was).

    Args:
        size: int or pair of ints, the cell ``(rows, cols)`` each input pixel becomes.

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

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
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
        config.update({"size": self.size})
        return config
