"""Deformable convolution (Dai et al. 2017) and its modulated v2 (Zhu et al. 2019).

A plain ``k x k`` convolution reads its input on a fixed grid around every output
pixel. A deformable convolution adds a learned 2-D offset to each of the ``k * k``
sampling points, separately for every output pixel, and reads the input there by
bilinear interpolation, so the receptive field can follow an object that moves,
scales or bends. The offsets come from an ordinary convolution over the same input
(the *offset branch*), initialised to zero so that training starts from a plain
convolution. Version 2 (``modulated=True``) also predicts a weight in ``(0, 1)``
per sampling point (the *mask*).

The computation is im2col: one gather fetches, for every output pixel and kernel
point, the four bilinear neighbours (a table row holds each pixel's 2x2
neighbourhood), a weighted sum over the four gives the ``(k*k, C)`` patch, and
one matrix product with the kernel reshaped to ``(k*k*C, filters)`` gives the
output. No Python loop runs over pixels or kernel points. The backward pass
sums the sampled rows' gradients into the table rows they read: a sort of the
row indices and a sorted segment sum of wide rows, together about half the time
on a CPU of the unsorted scatter-add that differentiating the gather would give.
"""

import keras
from keras import ops

from .._checks import boolean, positive_int
from ._layout import channels_last

_PADDINGS = ("valid", "same")


def _pair(value, name, minimum=1):
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}")
    if isinstance(value, int):
        value = (value, value)
    if (
        not isinstance(value, (tuple, list))
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}")
    if min(value) < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {tuple(value)}")
    return tuple(value)


def _output_size_and_pad(size, kernel, stride, dilation, padding):
    """Output length and leading padding, the way Keras/TensorFlow pad.

    ``size`` is an int, or a scalar tensor when the input's size is known only
    at run time (then so are the results).
    """
    span = (kernel - 1) * dilation + 1
    if padding == "valid":
        return (size - span) // stride + 1, 0
    out = -(-size // stride)
    total = (out - 1) * stride + span - size
    total = max(total, 0) if isinstance(total, int) else ops.maximum(total, 0)
    return out, total // 2


def _sampling_grid(in_size, kernel_size, strides, dilation_rate, padding):
    """Fixed (undeformed) sampling positions, shape (Ho, Wo, k*k, 2) as (y, x)."""
    (h, w), (kh, kw), (sh, sw), (dh, dw) = in_size, kernel_size, strides, dilation_rate
    ho, top = _output_size_and_pad(h, kh, sh, dh, padding)
    wo, left = _output_size_and_pad(w, kw, sw, dw, padding)
    rows = ops.arange(ho, dtype="float32") * sh - ops.cast(top, "float32")
    cols = ops.arange(wo, dtype="float32") * sw - ops.cast(left, "float32")
    ky = ops.repeat(ops.arange(kh, dtype="float32") * dh, kw)
    kx = ops.tile(ops.arange(kw, dtype="float32") * dw, kh)
    rows, cols = ops.meshgrid(rows, cols, indexing="ij")
    y = rows[:, :, None] + ky
    x = cols[:, :, None] + kx
    return ops.stack([y, x], axis=-1)


def sampling_positions(input_shape, offsets, kernel_size, strides=1, padding="valid",
                       dilation_rate=1):
    """Where a deformable convolution reads its input: grid plus offsets.

    Args:
        input_shape: ``(H, W)`` or ``(batch, H, W, C)`` of the convolved input.
        offsets: ``(batch, Ho, Wo, 2 * G * k*k)`` offsets in the layout of
            :func:`deformable_conv2d`.
        kernel_size, strides, padding, dilation_rate: as in ``Conv2D``.

    Returns:
        ``(batch, Ho, Wo, G, k*k, 2)`` positions as ``(row, column)`` in input pixels.
    """
    size = tuple(input_shape[1:3]) if len(input_shape) == 4 else tuple(input_shape)
    grid = _sampling_grid(size, _pair(kernel_size, "kernel_size"), _pair(strides, "strides"),
                          _pair(dilation_rate, "dilation_rate"), padding)
    ho, wo, k = grid.shape[0], grid.shape[1], grid.shape[2]
    offsets = ops.convert_to_tensor(offsets, "float32")
    offsets = ops.reshape(offsets, (ops.shape(offsets)[0], ho, wo, -1, k, 2))
    return grid[None, :, :, None] + offsets


def _sorted_segment_sum(data, segment_ids, num_segments):
    """``ops.segment_sum`` for sorted ``segment_ids``, fast on TensorFlow.

    TensorFlow's sorted segment sum is several times faster on a CPU than the
    unsorted one that ``ops.segment_sum`` runs, but XLA cannot compile it (its
    output length depends on the data); under XLA, and on other backends, this
    falls back to ``ops.segment_sum``.
    """
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        try:  # a private TensorFlow helper; without it, take the portable path
            from tensorflow.python.ops.control_flow_util import GraphOrParentsInXlaContext
        except ImportError:
            return ops.segment_sum(data, segment_ids, num_segments=num_segments)
        if not GraphOrParentsInXlaContext(tf.compat.v1.get_default_graph()):
            total = tf.math.segment_sum(data, segment_ids)
            # The sum stops at the largest id; the segments past it are empty.
            return tf.pad(total, [[0, num_segments - tf.shape(total)[0]], [0, 0]])
    return ops.segment_sum(data, segment_ids, num_segments=num_segments)


@ops.custom_gradient
def _bilinear_gather(table, index, weights):
    """Rows ``table[index]`` of four corners each, summed with ``weights``.

    ``table``: ``(rows, 4 * C)``; ``index``: ``(M,)``; ``weights``: ``(M, 4)``;
    returns ``(M, C)``. The gradient for ``table`` sums the sampled rows'
    gradients into the rows they read. Differentiating ``take`` would do that
    with an unsorted scatter-add; sorting the indices first (a sort of ``M``
    integers) makes it a sorted segment sum (:func:`_sorted_segment_sum`), and
    the two together take about half as long as the scatter-add on a CPU.
    """
    rows = ops.shape(table)[0]
    corners = ops.reshape(ops.take(table, index, axis=0), (ops.shape(index)[0], 4, -1))
    # A batch of (1, 4) x (4, C) products reads the corners once; a broadcast
    # multiply and sum would write and read them again.
    patches = ops.matmul(weights[:, None, :], corners)[:, 0]

    def grad(*args, upstream=None):
        if upstream is None:
            (upstream,) = args
        order = ops.argsort(index)
        sorted_index = ops.take(index, order)
        sorted_rows = ops.take(upstream, order, axis=0)[:, None, :] * ops.take(
            weights, order, axis=0)[..., None]
        d_table = _sorted_segment_sum(ops.reshape(sorted_rows, (ops.shape(index)[0], -1)),
                                      sorted_index, rows)
        d_weights = ops.sum(corners * upstream[:, None, :], axis=-1)
        return d_table, None, d_weights

    return patches, grad


def deformable_conv2d(inputs, offsets, kernel, bias=None, mask=None, strides=1,
                      padding="valid", dilation_rate=1):
    """Functional deformable convolution with given offsets (and v2 mask).

    Args:
        inputs: ``(batch, H, W, C)``.
        offsets: ``(batch, Ho, Wo, 2 * G * k*k)``: for deformable group ``g`` and
            kernel point ``p`` (row-major over the kernel), channels
            ``2 * (g * k*k + p)`` and ``+ 1`` hold the row and column offset in
            input pixels. ``G`` (deformable groups) divides ``C``; group ``g``
            moves the sampling points of channels ``g*C/G ... (g+1)*C/G - 1``.
        kernel: ``(kh, kw, C, filters)``, the layout of ``Conv2D.kernel``.
        bias: optional ``(filters,)``.
        mask: optional ``(batch, Ho, Wo, G * k*k)`` weight per sampling point (v2).
        strides, padding, dilation_rate: as in ``Conv2D``; ``padding`` is
            ``"valid"`` or ``"same"`` and samples outside the image read zero.

    Returns:
        ``(batch, Ho, Wo, filters)``.
    """
    kh, kw, channels, filters = kernel.shape
    k = kh * kw
    strides, dilation_rate = _pair(strides, "strides"), _pair(dilation_rate, "dilation_rate")
    # Static sizes where the input has them, scalar tensors where it does not
    # (an input built on keras.Input((None, None, C))), so one code path serves
    # both, eagerly and traced.
    batch, h, w = ops.shape(inputs)[:3]
    groups = offsets.shape[-1] // (2 * k)
    per_group = channels // groups

    grid = _sampling_grid((h, w), (kh, kw), strides, dilation_rate, padding)
    ho, wo = ops.shape(offsets)[1:3]
    offsets = ops.reshape(offsets, (batch, ho, wo, groups, k, 2))
    # (batch, Ho, Wo, k, G, 2): kernel point before group, the order of the
    # kernel's rows once reshaped to (k*C, filters).
    grid = ops.cast(grid, offsets.dtype)
    pos = grid[None, :, :, :, None, :] + ops.transpose(offsets, (0, 1, 2, 4, 3, 5))
    y, x = ops.unstack(pos, axis=-1)
    height, width = ops.cast(h, y.dtype), ops.cast(w, y.dtype)
    y0, x0 = ops.floor(y), ops.floor(x)
    fy, fx = y - y0, x - x0
    # A sample touches the image only if it lies strictly inside (-1, H) x (-1, W);
    # further out, all four neighbours are padding and the clipped index below
    # would otherwise read real pixels.
    inside = ops.cast((y > -1) & (y < height) & (x > -1) & (x < width), inputs.dtype)
    if mask is not None:
        inside = inside * ops.transpose(ops.reshape(mask, (batch, ho, wo, groups, k)),
                                        (0, 1, 2, 4, 3))
    weights = ops.stack([(1 - fy) * (1 - fx), (1 - fy) * fx, fy * (1 - fx), fy * fx], axis=-1)
    weights = ops.reshape(weights * inside[..., None], (-1, 4))

    # Row (pixel, group) of `table` holds the 2x2 neighbourhood (top-left,
    # top-right, bottom-left, bottom-right) below and right of that pixel of the
    # input padded by one zero pixel, so that a sample inside (-1, H) x (-1, W)
    # reads its four neighbours with one gather, and the backward pass is one
    # segment sum of wide rows. The shifted copies are pads (their gradient is a
    # cheap slice) rather than slices (whose gradient is a slow scatter).
    table = ops.stack(
        [ops.pad(inputs, ((0, 0), (1 - dy, dy), (1 - dx, dx), (0, 0)))
         for dy, dx in ((0, 0), (0, 1), (1, 0), (1, 1))],
        axis=3,
    )
    if groups > 1:
        table = ops.reshape(table, (-1, 4, groups, per_group))
        table = ops.transpose(table, (0, 2, 1, 3))
    table = ops.reshape(table, (-1, 4 * per_group))
    row = ops.cast(ops.clip(y0 + 1, 0, height), "int32")
    col = ops.cast(ops.clip(x0 + 1, 0, width), "int32")
    image = ops.reshape(ops.arange(batch, dtype="int32"), (-1, 1, 1, 1, 1))
    group = ops.arange(groups, dtype="int32")
    index = ((image * (h + 1) + row) * (w + 1) + col) * groups + group
    patches = _bilinear_gather(table, ops.reshape(index, (-1,)), weights)
    columns = ops.reshape(patches, (batch, ho, wo, k * channels))
    outputs = ops.matmul(columns, ops.reshape(kernel, (k * channels, filters)))
    if bias is not None:
        outputs = outputs + ops.convert_to_tensor(bias, outputs.dtype)
    return outputs


@keras.saving.register_keras_serializable(package="cnnlab")
class DeformableConv2D(keras.layers.Layer):
    """2-D deformable convolution (DCN v1; v2 with ``modulated=True``).

    An offset branch, a ``Conv2D`` with the same kernel size, strides, padding and
    dilation whose weights start at zero, predicts ``2 * deformable_groups * kh*kw``
    offsets per output pixel; the input is sampled bilinearly at the shifted
    points (zero outside the image) and convolved with ``kernel``. At
    initialisation the layer therefore computes exactly ``Conv2D(filters,
    kernel_size, ...)``. With ``modulated=True`` a second zero-initialised branch
    predicts one mask logit per sampling point; the mask is its sigmoid, so it
    starts at 0.5 everywhere, as in DCN v2.

    Args:
        filters: int, number of output channels.
        kernel_size: int or pair of ints.
        strides: int or pair of ints.
        padding: ``"valid"`` or ``"same"`` (as ``Conv2D``).
        dilation_rate: int or pair of ints, spacing of the undeformed grid.
        deformable_groups: int dividing the input channels; each group of
            channels gets its own offsets (and mask).
        modulated: bool, add the DCN v2 mask.
        offset_scale: positive float multiplying the offset branch's output. DCN
            implementations train the offset branch with a reduced learning rate
            (mmdetection: 0.1x) because large early offsets make training
            unstable; with Adam, which takes steps of about the learning rate
            whatever the gradient's size, ``offset_scale=0.1`` has that effect.
        activation: activation applied to the output (name or callable).
        use_bias: bool.
        kernel_initializer, bias_initializer: initializers of the main kernel.
        data_format: ``"channels_last"`` or None (Keras' global setting, which
            must then be channels-last); the layer computes channels last only.

    Input shape:
        ``(batch, H, W, C)`` with known ``C``; ``H`` and ``W`` may be ``None``
        (known only at run time), as for ``Conv2D``.

    Output shape:
        ``(batch, Ho, Wo, filters)`` with ``Ho, Wo`` as for ``Conv2D``.

    Example:
        >>> layer = DeformableConv2D(8, 3, padding="same")
        >>> tuple(layer(keras.ops.zeros((2, 16, 16, 4))).shape)
        (2, 16, 16, 8)
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", dilation_rate=1,
                 deformable_groups=1, modulated=False, offset_scale=1.0, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = channels_last(data_format, type(self).__name__)
        if padding not in _PADDINGS:
            raise ValueError(f"padding must be one of {_PADDINGS}, got {padding!r}")
        if isinstance(offset_scale, bool) or not isinstance(offset_scale, (int, float)):
            raise TypeError(f"offset_scale must be a positive number, got {offset_scale!r}")
        if not offset_scale > 0:
            raise ValueError(f"offset_scale must be a positive number, got {offset_scale!r}")
        self.filters = positive_int(filters, "filters")
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.strides = _pair(strides, "strides")
        self.dilation_rate = _pair(dilation_rate, "dilation_rate")
        if self.strides != (1, 1) and self.dilation_rate != (1, 1):
            raise ValueError(
                "strides and dilation_rate cannot both be > 1 (as in Conv2D), got "
                f"strides={self.strides}, dilation_rate={self.dilation_rate}"
            )
        self.padding = padding
        self.deformable_groups = positive_int(deformable_groups, "deformable_groups")
        self.modulated = boolean(modulated, "modulated")
        self.offset_scale = float(offset_scale)
        self.activation = keras.activations.get(activation)
        self.use_bias = boolean(use_bias, "use_bias")
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        points = self.kernel_size[0] * self.kernel_size[1] * self.deformable_groups
        branch = dict(kernel_size=self.kernel_size, strides=self.strides, padding=padding,
                      dilation_rate=self.dilation_rate, kernel_initializer="zeros",
                      bias_initializer="zeros", data_format="channels_last")
        self.offset_conv = keras.layers.Conv2D(2 * points, name="offset", **branch)
        self.mask_conv = (keras.layers.Conv2D(points, name="mask", **branch) if self.modulated
                          else None)

    def build(self, input_shape):
        if len(input_shape) != 4:
            raise ValueError(
                "DeformableConv2D takes (batch, height, width, channels) inputs, got input "
                f"shape {tuple(input_shape)}"
            )
        h, w, channels = input_shape[1:]
        if channels is None:
            raise ValueError(
                "DeformableConv2D needs known channels (height and width may be None), "
                f"got input shape {tuple(input_shape)}"
            )
        if channels % self.deformable_groups:
            raise ValueError(
                f"deformable_groups={self.deformable_groups} must divide the input "
                f"channels ({channels})"
            )
        for size, k, d, name in zip((h, w), self.kernel_size, self.dilation_rate,
                                    ("height", "width")):
            if self.padding == "valid" and size is not None and size < (k - 1) * d + 1:
                raise ValueError(
                    f"input {name} {size} is smaller than the dilated kernel "
                    f"({(k - 1) * d + 1}) with padding='valid'"
                )
        self.kernel = self.add_weight(
            name="kernel", shape=(*self.kernel_size, channels, self.filters),
            initializer=self.kernel_initializer,
        )
        self.bias = (
            self.add_weight(name="bias", shape=(self.filters,), initializer=self.bias_initializer)
            if self.use_bias else None
        )
        self.offset_conv.build(input_shape)
        if self.mask_conv is not None:
            self.mask_conv.build(input_shape)

    def offsets_and_mask(self, inputs):
        """The offset branch's output and the mask (``None`` unless modulated).

        Offsets: ``(batch, Ho, Wo, 2 * G * kh*kw)`` in the layout of
        :func:`deformable_conv2d`; mask: ``(batch, Ho, Wo, G * kh*kw)``.
        """
        offsets = self.offset_conv(inputs)
        if self.offset_scale != 1.0:
            offsets = offsets * self.offset_scale
        mask = ops.sigmoid(self.mask_conv(inputs)) if self.mask_conv is not None else None
        return offsets, mask

    def call(self, inputs):
        offsets, mask = self.offsets_and_mask(inputs)
        outputs = deformable_conv2d(
            inputs, offsets, self.kernel, self.bias, mask, strides=self.strides,
            padding=self.padding, dilation_rate=self.dilation_rate,
        )
        return self.activation(outputs)

    def compute_output_shape(self, input_shape):
        sizes = [
            None if size is None else _output_size_and_pad(size, k, s, d, self.padding)[0]
            for size, k, s, d in zip(input_shape[1:3], self.kernel_size, self.strides,
                                     self.dilation_rate)
        ]
        return (input_shape[0], *sizes, self.filters)

    def get_config(self):
        config = super().get_config()
        config.update(
            filters=self.filters,
            kernel_size=self.kernel_size,
            strides=self.strides,
            padding=self.padding,
            dilation_rate=self.dilation_rate,
            deformable_groups=self.deformable_groups,
            modulated=self.modulated,
            offset_scale=self.offset_scale,
            activation=keras.activations.serialize(self.activation),
            use_bias=self.use_bias,
            kernel_initializer=keras.initializers.serialize(self.kernel_initializer),
            bias_initializer=keras.initializers.serialize(self.bias_initializer),
            data_format=self.data_format,
        )
        return config


__all__ = ["DeformableConv2D", "deformable_conv2d", "sampling_positions"]
