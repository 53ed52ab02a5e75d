"""Shape, parameter, compute and memory arithmetic for convolutional networks.

Pure Python: importing this module never imports TensorFlow, Keras or NumPy,
so the course's exercise tools can use it without a deep-learning stack. Only
:func:`summarize` touches Keras, and only the model it is handed.

Conventions
-----------
* Output sizes use the floor convention of Keras and of Dumoulin & Visin,
  "A guide to convolution arithmetic for deep learning" (2016)::

      o = floor((i + p_before + p_after - k_eff) / s) + 1,   k_eff = d*(k - 1) + 1

  where ``i`` is the input size, ``k`` the kernel size, ``s`` the stride, ``d``
  the dilation and ``p`` the zero padding on each side. With ``strict=True`` a
  stride that does not fit (the division is not exact, so the last input
  positions are never covered) is an error, as in the lecture's rule
  ``(W - F + 2P)/S + 1`` must be an integer.
* ``padding`` is ``"valid"`` (no padding), ``"same"`` (Keras/TensorFlow:
  output ``ceil(i/s)``, the odd pixel of padding goes after), ``"full"``
  (``k_eff - 1`` on each side, every partial overlap), or explicit zero
  padding: an int for every side, for one axis a pair ``(before, after)``,
  for two axes a pair ``(height, width)`` or a pair of pairs
  ``((top, bottom), (left, right))``, as in ``keras.layers.ZeroPadding2D``.
* Shapes are per example, channels last, without the batch axis:
  ``(height, width, channels)``. A spatial size may be ``None`` (unknown) and
  stays ``None``.
* A MAC is one multiply-add of an input value with a weight. Bias additions,
  activations, pooling, normalisation and element-wise operations count zero
  MACs; this is the "multiply-adds" figure of the VGG/GoogLeNet/ResNet papers.
  FLOPs are usually quoted as ``2 * MACs``.
"""

import math
import operator
from fractions import Fraction
from typing import NamedTuple

__all__ = [
    "DTYPE_SIZES",
    "ReceptiveField",
    "Summary",
    "activation_bytes",
    "conv2d_macs",
    "conv2d_output_shape",
    "conv2d_params",
    "conv2d_transpose_output_shape",
    "conv_output_size",
    "dense_macs",
    "dense_params",
    "fitting_padding",
    "format_bytes",
    "pool2d_output_shape",
    "receptive_field",
    "resolve_padding",
    "summarize",
]

PADDING_MODES = ("valid", "same", "full")

DTYPE_SIZES = {
    "bool": 1,
    "int8": 1,
    "uint8": 1,
    "float8_e4m3fn": 1,
    "float8_e5m2": 1,
    "int16": 2,
    "uint16": 2,
    "float16": 2,
    "bfloat16": 2,
    "int32": 4,
    "uint32": 4,
    "float32": 4,
    "int64": 8,
    "uint64": 8,
    "float64": 8,
    "complex64": 8,
    "complex128": 16,
}
"""Bytes per element of the dtype names Keras uses."""


# --------------------------------------------------------------------------
# argument checking


def _integer(value, name, minimum=1):
    # bool is an int subclass; True as a kernel size is always a mistake.
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        raise TypeError(f"`{name}` must be an integer, got the bool {value!r}.")
    try:
        number = operator.index(value)
    except TypeError:
        raise TypeError(
            f"`{name}` must be an integer, got {value!r} ({type(value).__name__})."
        ) from None
    if number < minimum:
        allowed = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ValueError(f"`{name}` must be {allowed}, got {number}.")
    return number


def _size(value, name):
    """A spatial size: a positive integer, or None for unknown."""
    return None if value is None else _integer(value, name)


def _pair(value, name, minimum=1):
    """An int for both spatial axes, or a (height, width) pair."""
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise ValueError(
                f"`{name}` must be an int or a pair (height, width), got {value!r} "
                f"of length {len(value)}."
            )
        return tuple(_integer(v, f"{name}[{i}]", minimum) for i, v in enumerate(value))
    number = _integer(value, name, minimum)
    return number, number


def _bool(value, name):
    if not isinstance(value, bool):
        raise TypeError(f"`{name}` must be True or False, got {value!r}.")
    return value


def _mode(padding, name, modes):
    mode = padding.lower()
    if mode not in modes:
        allowed = ", ".join(repr(m) for m in modes)
        raise ValueError(
            f"`{name}` must be one of {allowed}, an int or explicit (before, after) "
            f"amounts; got {padding!r}."
        )
    return mode


def _axis_padding(padding, name, modes=PADDING_MODES):
    """One axis: a mode string or a concrete (before, after) pair."""
    if isinstance(padding, str):
        return _mode(padding, name, modes)
    if isinstance(padding, (list, tuple)):
        if len(padding) != 2:
            raise ValueError(
                f"`{name}` must be an int or a pair (before, after), got {padding!r} "
                f"of length {len(padding)}."
            )
        return tuple(_integer(p, f"{name}[{i}]", 0) for i, p in enumerate(padding))
    amount = _integer(padding, name, 0)
    return amount, amount


def _padding_2d(padding, name, modes=PADDING_MODES):
    """Two axes: a mode string, or ((top, bottom), (left, right))."""
    if isinstance(padding, str):
        mode = _mode(padding, name, modes)
        return mode, mode
    if isinstance(padding, (list, tuple)):
        if len(padding) != 2:
            raise ValueError(
                f"`{name}` must be an int, a pair (height, width) or a pair of pairs "
                f"((top, bottom), (left, right)); got {padding!r} of length {len(padding)}."
            )
        for i, p in enumerate(padding):
            if isinstance(p, str):
                raise TypeError(
                    f"`{name}[{i}]` must be an int or (before, after); a padding mode "
                    f"such as {p!r} applies to both axes: padding={p!r}."
                )
        return tuple(_axis_padding(p, f"{name}[{i}]") for i, p in enumerate(padding))
    amount = _integer(padding, name, 0)
    return (amount, amount), (amount, amount)


def _hwc(input_shape, name="input_shape"):
    if not isinstance(input_shape, (list, tuple)):
        raise TypeError(
            f"`{name}` must be a tuple (height, width, channels), got {input_shape!r}."
        )
    if len(input_shape) != 3:
        hint = " (drop the batch axis)" if len(input_shape) == 4 else ""
        raise ValueError(
            f"`{name}` must be (height, width, channels){hint}, got {tuple(input_shape)!r}."
        )
    height = _size(input_shape[0], f"{name}[0] (height)")
    width = _size(input_shape[1], f"{name}[1] (width)")
    channels = _integer(input_shape[2], f"{name}[2] (channels)")
    return height, width, channels


# --------------------------------------------------------------------------
# one axis


def _effective_kernel(kernel_size, dilation):
    return dilation * (kernel_size - 1) + 1


def _resolve(size, k_eff, stride, padding):
    """Concrete (before, after) zero padding for a mode or explicit pair."""
    if padding == "valid":
        return 0, 0
    if padding == "full":
        return k_eff - 1, k_eff - 1
    if padding == "same":
        # TensorFlow's rule: pad just enough for ceil(size / stride) outputs;
        # an odd total puts the extra pixel after (bottom/right).
        total = max((-(-size // stride) - 1) * stride + k_eff - size, 0)
        return total // 2, total - total // 2
    return padding


def _formula(size, k_eff, stride, before, after):
    pad = f"2*{before}" if before == after else f"{before} + {after}"
    return f"({size} - {k_eff} + {pad})/{stride} + 1"


def _fitting(size, k_eff, stride, before, after):
    extra = -(size + before + after - k_eff) % stride
    return before + extra // 2, after + extra - extra // 2


def _axis_output(size, kernel_size, stride, padding, dilation, strict, what,
                 kernel_name="kernel_size"):
    """Output size of one axis; `padding` already normalised by _axis_padding."""
    if size is None:
        return None
    k_eff = _effective_kernel(kernel_size, dilation)
    before, after = _resolve(size, k_eff, stride, padding)
    padded = size + before + after
    if k_eff > padded:
        dilated = f" (dilated to {k_eff})" if dilation > 1 else ""
        raise ValueError(
            f"`{kernel_name}` {kernel_size}{dilated} is larger than the {what} {size} "
            f"padded to {padded}; use a smaller window or more padding."
        )
    remainder = (padded - k_eff) % stride
    if strict and remainder:
        value = Fraction(padded - k_eff, stride) + 1
        fix_before, fix_after = _fitting(size, k_eff, stride, before, after)
        fix = fix_before if fix_before == fix_after else (fix_before, fix_after)
        kernel = f"{k_eff}-wide dilated" if dilation > 1 else f"{k_eff}-wide"
        raise ValueError(
            f"stride {stride} does not fit: {_formula(size, k_eff, stride, before, after)}"
            f" = {value} is not an integer, so a {kernel} kernel moving {stride} at a "
            f"time leaves the last {remainder} position(s) of the {what} uncovered. "
            f"padding={fix!r} makes it fit: "
            f"{_formula(size, k_eff, stride, fix_before, fix_after)} = "
            f"{(size + fix_before + fix_after - k_eff) // stride + 1}. "
            f"With strict=False the floor convention (Keras) gives "
            f"{(padded - k_eff) // stride + 1}."
        )
    return (padded - k_eff) // stride + 1


def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1, strict=False):
    """Output length of a convolution or pooling window along one axis.

    Args:
        size: input length, a positive int (``None`` gives ``None``).
        kernel_size: window length ``k``, a positive int.
        stride: step ``s`` between windows, a positive int.
        padding: zeros added: an int on each side, a pair ``(before, after)``,
            ``"valid"`` (0), ``"same"`` (Keras: output ``ceil(size/stride)``)
            or ``"full"`` (``k_eff - 1`` on each side).
        dilation: spacing ``d`` between kernel taps; the kernel spans
            ``k_eff = d*(k-1) + 1`` inputs.
        strict: if True, raise when the windows do not tile the padded input
            exactly, i.e. when ``(size + 2p - k_eff)/s + 1`` is not an integer.

    Returns:
        int: ``floor((size + p_before + p_after - k_eff)/stride) + 1``.

    Raises:
        TypeError: an argument is not an integer (or is a bool).
        ValueError: a size is not positive, the padding is negative or an
            unknown string, the kernel is larger than the padded input, or
            (``strict=True``) the stride does not fit; the message shows the
            formula and the padding that makes it fit.

    Example:
        >>> conv_output_size(32, 5)
        28
        >>> conv_output_size(7, 3, stride=2)
        3
        >>> conv_output_size(7, 3, stride=3)  # floor convention
        2
        >>> conv_output_size(7, 3, stride=3, padding=1, strict=True)
        3
    """
    size = _size(size, "size")
    kernel_size = _integer(kernel_size, "kernel_size")
    stride = _integer(stride, "stride")
    dilation = _integer(dilation, "dilation")
    padding = _axis_padding(padding, "padding")
    strict = _bool(strict, "strict")
    return _axis_output(size, kernel_size, stride, padding, dilation, strict, "input")


def resolve_padding(size, kernel_size, stride=1, padding="same", dilation=1):
    """The zeros a padding mode adds before and after one axis.

    Args:
        size: input length, a positive int.
        kernel_size: window length, a positive int.
        stride: a positive int.
        padding: ``"valid"``, ``"same"``, ``"full"``, an int or ``(before, after)``.
        dilation: a positive int.

    Returns:
        tuple: ``(before, after)``. For ``"same"`` this is TensorFlow's split,
        with the odd pixel after.

    Raises:
        TypeError, ValueError: as :func:`conv_output_size`.

    Example:
        >>> resolve_padding(224, 3)
        (1, 1)
        >>> resolve_padding(224, 7, stride=2)  # ResNet's first conv
        (2, 3)
    """
    size = _integer(size, "size")
    kernel_size = _integer(kernel_size, "kernel_size")
    stride = _integer(stride, "stride")
    dilation = _integer(dilation, "dilation")
    padding = _axis_padding(padding, "padding")
    return _resolve(size, _effective_kernel(kernel_size, dilation), stride, padding)


def fitting_padding(size, kernel_size, stride=1, dilation=1):
    """The least zero padding that makes the stride fit exactly.

    Args:
        size: input length, a positive int.
        kernel_size: window length, a positive int.
        stride: a positive int.
        dilation: a positive int.

    Returns:
        tuple: ``(before, after)``, as even as possible (the odd zero after),
        such that ``conv_output_size(size, kernel_size, stride, (before, after),
        dilation, strict=True)`` succeeds. ``(0, 0)`` when it already fits.

    Raises:
        TypeError, ValueError: as :func:`conv_output_size`.

    Example:
        >>> fitting_padding(7, 3, stride=3)  # the lecture's case
        (1, 1)
    """
    size = _integer(size, "size")
    kernel_size = _integer(kernel_size, "kernel_size")
    stride = _integer(stride, "stride")
    dilation = _integer(dilation, "dilation")
    k_eff = _effective_kernel(kernel_size, dilation)
    extra = max(k_eff - size, 0)
    before, after = extra // 2, extra - extra // 2
    return _fitting(size, k_eff, stride, before, after)


# --------------------------------------------------------------------------
# two axes


def conv2d_output_shape(
    input_shape,
    filters,
    kernel_size,
    strides=1,
    padding="valid",
    dilation_rate=1,
    strict=False,
):
    """Output shape of ``keras.layers.Conv2D`` for one example.

    Args:
        input_shape: ``(height, width, channels)``; height/width may be None.
        filters: number of output channels, a positive int.
        kernel_size: int or ``(height, width)``.
        strides: int or ``(height, width)``.
        padding: ``"valid"``, ``"same"``, ``"full"``, an int, ``(ph, pw)`` or
            ``((top, bottom), (left, right))``.
        dilation_rate: int or ``(height, width)``.
        strict: raise if a stride does not fit exactly (see
            :func:`conv_output_size`).

    Returns:
        tuple: ``(out_height, out_width, filters)``.

    Raises:
        TypeError, ValueError: bad arguments, as :func:`conv_output_size`.

    Example:
        >>> conv2d_output_shape((32, 32, 3), 10, 5)
        (28, 28, 10)
        >>> conv2d_output_shape((224, 224, 3), 64, 3, padding="same")
        (224, 224, 64)
    """
    height, width, _ = _hwc(input_shape)
    filters = _integer(filters, "filters")
    kernel = _pair(kernel_size, "kernel_size")
    stride = _pair(strides, "strides")
    dilation = _pair(dilation_rate, "dilation_rate")
    pads = _padding_2d(padding, "padding")
    strict = _bool(strict, "strict")
    out = tuple(
        _axis_output(size, kernel[a], stride[a], pads[a], dilation[a], strict, what)
        for a, (size, what) in enumerate(((height, "input height"), (width, "input width")))
    )
    return (*out, filters)


def pool2d_output_shape(input_shape, pool_size, strides=None, padding="valid", strict=False):
    """Output shape of ``keras.layers.MaxPooling2D``/``AveragePooling2D``.

    Args:
        input_shape: ``(height, width, channels)``; height/width may be None.
        pool_size: int or ``(height, width)``.
        strides: int, ``(height, width)``, or None for ``pool_size`` (Keras).
        padding: ``"valid"``, ``"same"``, or explicit zeros as in
            :func:`conv2d_output_shape` (PyTorch-style pooling padding).
        strict: raise if a stride does not fit exactly.

    Returns:
        tuple: ``(out_height, out_width, channels)``; pooling keeps channels.

    Raises:
        TypeError, ValueError: bad arguments; ``"full"`` is refused.

    Example:
        >>> pool2d_output_shape((224, 224, 64), 2)
        (112, 112, 64)
        >>> pool2d_output_shape((55, 55, 96), 3, strides=2)  # AlexNet POOL1
        (27, 27, 96)
    """
    height, width, channels = _hwc(input_shape)
    pool = _pair(pool_size, "pool_size")
    stride = pool if strides is None else _pair(strides, "strides")
    pads = _padding_2d(padding, "padding", modes=("valid", "same"))
    strict = _bool(strict, "strict")
    out = tuple(
        _axis_output(size, pool[a], stride[a], pads[a], 1, strict, what, "pool_size")
        for a, (size, what) in enumerate(((height, "input height"), (width, "input width")))
    )
    return (*out, channels)


def _transpose_axis(size, kernel_size, stride, padding, output_padding, dilation, what):
    if size is None:
        return None
    k_eff = _effective_kernel(kernel_size, dilation)
    # The rules of keras.src.backend.common.backend_utils
    # ._get_output_shape_given_tf_padding, which every backend follows.
    if padding == "valid":
        extra = max(k_eff, stride) - k_eff if output_padding is None else output_padding
        out = (size - 1) * stride + k_eff + extra
    elif padding == "same":
        if output_padding is None:
            out = size * stride
        else:
            out = (size - 1) * stride + k_eff % 2 + output_padding
    else:
        before, after = padding
        out = (size - 1) * stride + k_eff - before - after + (output_padding or 0)
    if out < 1:
        raise ValueError(
            f"`padding` {padding!r} with `output_padding` {output_padding!r} gives the "
            f"transposed convolution of the {what} {size} an output of {out}; it must be "
            f"at least 1."
        )
    return out


def conv2d_transpose_output_shape(
    input_shape,
    filters,
    kernel_size,
    strides=1,
    padding="valid",
    output_padding=None,
    dilation_rate=1,
):
    """Output shape of ``keras.layers.Conv2DTranspose`` for one example.

    Args:
        input_shape: ``(height, width, channels)``; height/width may be None.
        filters: number of output channels, a positive int.
        kernel_size: int or ``(height, width)``.
        strides: int or ``(height, width)``.
        padding: ``"valid"`` or ``"same"`` (Keras rules), or explicit zeros
            cropped from each side as in PyTorch's ``ConvTranspose2d``
            (an int, ``(ph, pw)`` or ``((top, bottom), (left, right))``):
            ``(i-1)*s + k_eff - before - after + output_padding``.
        output_padding: None, an int or ``(height, width)``, each smaller
            than the stride: extra rows/columns added after.
        dilation_rate: int or ``(height, width)``.

    Returns:
        tuple: ``(out_height, out_width, filters)``. With ``output_padding=None``,
        ``"valid"`` gives ``(i-1)*s + max(k_eff, s)`` and ``"same"`` gives
        ``i*s``; with it, ``(i-1)*s + k_eff + op`` and
        ``(i-1)*s + k_eff % 2 + op``.

    Raises:
        TypeError, ValueError: bad arguments, ``output_padding >= strides``,
        or an output size below 1 (Keras computes 0 for ``"same"`` with an even
        kernel, ``output_padding=0`` and input size 1; this raises instead).

    Example:
        >>> conv2d_transpose_output_shape((2, 2, 1), 1, 3)  # 2x2 back to 4x4
        (4, 4, 1)
        >>> conv2d_transpose_output_shape((7, 7, 64), 32, 3, strides=2, padding="same")
        (14, 14, 32)
    """
    height, width, _ = _hwc(input_shape)
    filters = _integer(filters, "filters")
    kernel = _pair(kernel_size, "kernel_size")
    stride = _pair(strides, "strides")
    dilation = _pair(dilation_rate, "dilation_rate")
    pads = _padding_2d(padding, "padding", modes=("valid", "same"))
    if output_padding is None:
        extra = (None, None)
    else:
        extra = _pair(output_padding, "output_padding", minimum=0)
        for a in range(2):
            if extra[a] >= stride[a]:
                raise ValueError(
                    f"`output_padding` must be smaller than `strides` on every axis, "
                    f"got output_padding={extra} with strides={stride}."
                )
    out = tuple(
        _transpose_axis(size, kernel[a], stride[a], pads[a], extra[a], dilation[a], what)
        for a, (size, what) in enumerate(((height, "input height"), (width, "input width")))
    )
    return (*out, filters)


# --------------------------------------------------------------------------
# parameters and multiply-adds


def _groups(in_channels, filters, groups):
    groups = _integer(groups, "groups")
    if in_channels % groups or filters % groups:
        raise ValueError(
            f"`groups` must divide both `in_channels` and `filters`, got groups={groups}, "
            f"in_channels={in_channels}, filters={filters}."
        )
    return groups


def conv2d_params(in_channels, filters, kernel_size, use_bias=True, groups=1):
    """Trainable parameters of ``keras.layers.Conv2D``.

    Args:
        in_channels: input channels ``D1``, a positive int.
        filters: output channels ``K``, a positive int.
        kernel_size: int ``F`` or ``(height, width)``.
        use_bias: whether each filter has a bias.
        groups: split channels into this many independent groups (AlexNet's
            two GPUs used 2); ``groups=in_channels`` with
            ``filters = in_channels * depth_multiplier`` is a depthwise conv.

    Returns:
        int: ``F_h * F_w * (D1 / groups) * K + K`` (the ``+ K`` only with bias).

    Raises:
        TypeError, ValueError: bad arguments, or ``groups`` not dividing both
        channel counts.

    Example:
        >>> conv2d_params(3, 10, 5)  # ten 5x5x3 filters
        760
        >>> conv2d_params(96, 256, 5, groups=2)  # AlexNet CONV2
        307456
    """
    in_channels = _integer(in_channels, "in_channels")
    filters = _integer(filters, "filters")
    kh, kw = _pair(kernel_size, "kernel_size")
    use_bias = _bool(use_bias, "use_bias")
    groups = _groups(in_channels, filters, groups)
    return kh * kw * (in_channels // groups) * filters + (filters if use_bias else 0)


def dense_params(in_features, units, use_bias=True):
    """Trainable parameters of ``keras.layers.Dense``.

    Args:
        in_features: input length, a positive int.
        units: output length, a positive int.
        use_bias: whether each unit has a bias.

    Returns:
        int: ``in_features * units + units`` (``+ units`` only with bias).

    Raises:
        TypeError, ValueError: bad arguments.

    Example:
        >>> dense_params(32 * 32 * 3, 32 * 32 * 10)  # FC in place of ten 'same' 5x5 filters
        31467520
    """
    in_features = _integer(in_features, "in_features")
    units = _integer(units, "units")
    use_bias = _bool(use_bias, "use_bias")
    return in_features * units + (units if use_bias else 0)


def conv2d_macs(
    input_shape,
    filters,
    kernel_size,
    strides=1,
    padding="valid",
    dilation_rate=1,
    groups=1,
):
    """Multiply-adds of one ``Conv2D`` forward pass on one example.

    Every output value is a dot product of ``F_h * F_w * C / groups`` inputs
    with the kernel; bias additions are not counted (see the module notes).
    Products with padding zeros are counted, as hardware computes them.

    Args:
        input_shape: ``(height, width, channels)`` with known height and width.
        filters, kernel_size, strides, padding, dilation_rate: as
            :func:`conv2d_output_shape`.
        groups: as :func:`conv2d_params`.

    Returns:
        int: ``H_out * W_out * filters * F_h * F_w * C / groups``.

    Raises:
        TypeError, ValueError: bad arguments or an unknown spatial size.

    Example:
        >>> conv2d_macs((224, 224, 3), 64, 3, padding="same")  # VGG16 conv1_1
        86704128
    """
    height, width, channels = _hwc(input_shape)
    if height is None or width is None:
        raise ValueError(f"`input_shape` needs a known height and width, got {input_shape!r}.")
    out_h, out_w, filters = conv2d_output_shape(
        input_shape, filters, kernel_size, strides, padding, dilation_rate
    )
    kh, kw = _pair(kernel_size, "kernel_size")
    groups = _groups(channels, filters, groups)
    return out_h * out_w * filters * kh * kw * (channels // groups)


def dense_macs(in_features, units):
    """Multiply-adds of one ``Dense`` forward pass on one example vector.

    Args:
        in_features: input length, a positive int.
        units: output length, a positive int.

    Returns:
        int: ``in_features * units`` (bias additions are not counted).

    Raises:
        TypeError, ValueError: bad arguments.

    Example:
        >>> dense_macs(7 * 7 * 512, 4096)  # VGG16 fc1
        102760448
    """
    return _integer(in_features, "in_features") * _integer(units, "units")


# --------------------------------------------------------------------------
# receptive field


class ReceptiveField(NamedTuple):
    """Receptive field of one layer's units, in input pixels.

    Attributes:
        jump: distance in input pixels between two neighbouring units (the
            product of the strides so far).
        size: width of the input window one unit sees (padding included).
        start: input coordinate of the centre of the first unit's window;
            pixel centres are at 0, 1, ...; negative when padding reaches
            out, ``x.5`` for even windows.
        output_size: number of units along the axis, or None when the input
            size was not given.
    """

    jump: int
    size: int
    start: float
    output_size: int | None


def _rf_layer(spec, index):
    name = f"layers[{index}]"
    if not isinstance(spec, (list, tuple)):
        raise TypeError(
            f"`{name}` must be a tuple (kernel, stride, padding, dilation), got {spec!r}."
        )
    if not 1 <= len(spec) <= 4:
        raise ValueError(
            f"`{name}` must be (kernel[, stride[, padding[, dilation]]]), 1 to 4 items, "
            f"got {len(spec)}: {spec!r}."
        )
    kernel, stride, padding, dilation = (*spec, *(1, 0, 1)[len(spec) - 1 :])
    return (
        _integer(kernel, f"{name} kernel"),
        _integer(stride, f"{name} stride"),
        _axis_padding(padding, f"{name} padding"),
        _integer(dilation, f"{name} dilation"),
    )


def receptive_field(layers, input_size=None):
    """Receptive field (jump, size, start) after each layer of a stack.

    Uses the recurrences of Dumoulin & Visin (2016) and Araujo et al.,
    "Computing Receptive Fields of Convolutional Neural Networks"
    (Distill, 2019), along one axis::

        k_eff = d*(k-1) + 1
        jump_out  = jump_in * s
        size_out  = size_in + (k_eff - 1) * jump_in
        start_out = start_in + ((k_eff - 1)/2 - p_before) * jump_in

    starting from the input pixel (jump 1, size 1, start 0). Pooling layers
    are entries like any other.

    Args:
        layers: a list of ``(kernel, stride, padding, dilation)`` tuples;
            trailing items may be left out (stride 1, padding 0, dilation 1).
            ``padding`` is an int, ``(before, after)``, ``"valid"``,
            ``"full"`` or ``"same"``; with a stride above 1, ``"same"`` needs
            ``input_size`` because TensorFlow's split depends on it.
        input_size: input length along the axis, to track each layer's output
            size and resolve ``"same"``; optional.

    Returns:
        list: one :class:`ReceptiveField` per layer.

    Raises:
        TypeError, ValueError: a malformed layer tuple (the message names its
        index), or ``"same"`` with a stride above 1 and no ``input_size``.

    Example:
        >>> [r.size for r in receptive_field([(3, 1, 1)] * 3)]  # VGG: 3, 5, 7
        [3, 5, 7]
        >>> receptive_field([(11, 4), (3, 2)], input_size=227)[-1]  # AlexNet CONV1+POOL1
        ReceptiveField(jump=8, size=19, start=9.0, output_size=27)
    """
    if not isinstance(layers, (list, tuple)):
        raise TypeError(f"`layers` must be a list of (kernel, stride, padding, dilation) "
                        f"tuples, got {layers!r}.")
    size = _size(input_size, "input_size")
    jump, extent, start = 1, 1, Fraction(0)
    fields = []
    for index, spec in enumerate(layers):
        kernel, stride, padding, dilation = _rf_layer(spec, index)
        k_eff = _effective_kernel(kernel, dilation)
        if isinstance(padding, str) and size is None:
            if padding == "same" and stride > 1:
                raise ValueError(
                    f"`layers[{index}]` uses padding 'same' with stride {stride}; its "
                    f"split depends on the input length, so pass `input_size`."
                )
            padding = _resolve(k_eff, k_eff, stride, padding)
        if size is not None:
            before, _ = _resolve(size, k_eff, stride, padding)
            size = _axis_output(size, kernel, stride, padding, dilation, False,
                                f"input of layers[{index}]")
        else:
            before = padding[0]
        start += (Fraction(k_eff - 1, 2) - before) * jump
        extent += (k_eff - 1) * jump
        jump *= stride
        fields.append(ReceptiveField(jump, extent, float(start), size))
    return fields


# --------------------------------------------------------------------------
# memory


def _itemsize(dtype):
    if isinstance(dtype, str):
        if dtype not in DTYPE_SIZES:
            allowed = ", ".join(sorted(DTYPE_SIZES))
            raise ValueError(f"`dtype` must be one of {allowed}; got {dtype!r}.")
        return DTYPE_SIZES[dtype]
    itemsize = getattr(dtype, "itemsize", None)
    if isinstance(itemsize, int) and not isinstance(itemsize, bool) and itemsize > 0:
        return itemsize
    name = getattr(dtype, "name", None)
    if isinstance(name, str):
        return _itemsize(name)
    raise TypeError(f"`dtype` must be a dtype name such as 'float32', got {dtype!r}.")


def activation_bytes(shape, dtype="float32"):
    """Memory that one activation tensor of ``shape`` takes.

    Args:
        shape: the tensor shape without the batch axis, a tuple of positive
            ints (a batch of ``n`` costs ``n`` times as much).
        dtype: a dtype name from :data:`DTYPE_SIZES` or an object with an
            ``itemsize`` (a NumPy dtype).

    Returns:
        int: ``prod(shape) * itemsize`` bytes.

    Raises:
        TypeError, ValueError: a non-tuple shape, a ``None`` or non-positive
        entry, or an unknown dtype.

    Example:
        >>> activation_bytes((224, 224, 64))
        12845056
        >>> activation_bytes((224, 224, 64), "float16")
        6422528
    """
    if not isinstance(shape, (list, tuple)):
        raise TypeError(f"`shape` must be a tuple of ints, got {shape!r}.")
    for i, n in enumerate(shape):
        if n is None:
            raise ValueError(
                f"`shape[{i}]` is None; pass one example's shape without the batch axis "
                f"(e.g. output_shape[1:]), with every size known; got {tuple(shape)!r}."
            )
        _integer(n, f"shape[{i}]")
    return math.prod(shape) * _itemsize(dtype)


def format_bytes(count):
    """A byte count in binary units, e.g. ``'1.5 MiB'``.

    Args:
        count: a non-negative int number of bytes.

    Returns:
        str: bytes below 1 KiB, otherwise KiB/MiB/GiB/TiB with one decimal.

    Raises:
        TypeError, ValueError: a negative or non-integer count.

    Example:
        >>> format_bytes(12845056)
        '12.2 MiB'
    """
    count = _integer(count, "count", 0)
    if count < 1024:
        return f"{count} B"
    value = float(count)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        value /= 1024
        if value < 1024 or unit == "TiB":
            return f"{value:.1f} {unit}"


# --------------------------------------------------------------------------
# model summary

_COLUMNS = (
    ("name", "Layer", "<"),
    ("type", "Type", "<"),
    ("output_shape", "Output shape", "<"),
    ("params", "Params", ">"),
    ("activations", "Activations", ">"),
    ("activation_bytes", "Memory", ">"),
    ("macs", "MACs", ">"),
)

# Layers whose output is their input, reshaped or untouched at inference:
# counting them again would double the memory of one tensor.
_VIEW_TYPES = frozenset({
    "ActivityRegularization", "AlphaDropout", "Dropout", "Flatten", "GaussianDropout",
    "GaussianNoise", "Identity", "Reshape", "SpatialDropout1D",
    "SpatialDropout2D", "SpatialDropout3D",
})


class Summary:
    """A model's per-layer shapes, parameters, activations, memory and MACs.

    Attributes:
        name: the model's name.
        rows: a list of dicts, one per layer call, with keys ``name``,
            ``type``, ``output_shape`` (per example, batch axis dropped; a
            list for a multi-output layer), ``params``, ``trainable_params``,
            ``activations`` (values in the output), ``activation_bytes``,
            ``macs`` and ``view`` (True for a layer whose output is its input
            reshaped or passed through, such as ``Flatten``, ``Dropout`` or a
            nested model's input: not counted again in the totals). Unknown
            values are None.
        totals: a dict with ``params``, ``trainable_params``,
            ``non_trainable_params``, ``activations``, ``activation_bytes`` and
            ``macs`` summed over the rows (views excluded), and ``complete``:
            False when some row had an unknown value, listed in ``notes``.
        notes: a list of strings explaining unknown values.

    ``str(summary)`` is an aligned text table; notebooks show it as HTML.
    """

    def __init__(self, name, rows, notes=()):
        self.name = name
        self.rows = list(rows)
        self.notes = list(notes)
        counted = [row for row in self.rows if not row["view"]]
        totals = {
            key: sum(row[key] for row in self.rows)
            for key in ("params", "trainable_params")
        }
        totals["non_trainable_params"] = totals["params"] - totals["trainable_params"]
        complete = True
        for key in ("activations", "activation_bytes", "macs"):
            known = [row[key] for row in counted if row[key] is not None]
            complete = complete and len(known) == len(counted)
            totals[key] = sum(known)
        totals["complete"] = complete
        self.totals = totals

    def _cells(self):
        def cell(row, key):
            value = row[key]
            if value is None:
                return "?"
            if isinstance(value, str):
                text = value
            elif key == "output_shape":
                text = str(value) if isinstance(value, tuple) else ", ".join(map(str, value))
            elif key == "activation_bytes":
                text = format_bytes(value)
            else:
                text = f"{value:,}"
            if row.get("view") and key in ("activations", "activation_bytes"):
                text = f"({text})"
            return text

        body = [[cell(row, key) for key, _, _ in _COLUMNS] for row in self.rows]
        total = {**self.totals, "name": "Total", "type": "", "output_shape": "", "view": False}
        footer = [cell(total, key) for key, _, _ in _COLUMNS]
        if not self.totals["complete"]:
            footer = [f"{c}+" if key in ("activations", "activation_bytes", "macs") else c
                      for c, (key, _, _) in zip(footer, _COLUMNS)]
        return [title for _, title, _ in _COLUMNS], body, footer

    def __str__(self):
        header, body, footer = self._cells()
        widths = [max(len(r[i]) for r in (header, footer, *body)) for i in range(len(header))]

        def line(cells):
            return "  ".join(
                f"{c:{align}{w}}" for c, w, (_, _, align) in zip(cells, widths, _COLUMNS)
            ).rstrip()

        rule = "-" * len(line(["x" * w for w in widths]))
        lines = [f'Model "{self.name}" (one example; memory in binary units; '
                 f'views in parentheses are not counted)', rule, line(header), rule]
        lines += [line(cells) for cells in body]
        lines += [rule, line(footer)]
        lines += [f"Note: {note}" for note in self.notes]
        return "\n".join(lines)

    def __repr__(self):
        return (f"<Summary {self.name!r}: {len(self.rows)} rows, "
                f"{self.totals['params']:,} params, {self.totals['macs']:,} MACs>")

    def _repr_pretty_(self, printer, cycle):
        printer.text(repr(self) if cycle else str(self))

    def _repr_html_(self):
        import html

        header, body, footer = self._cells()

        def tr(cells, tag="td"):
            return "<tr>" + "".join(
                f'<{tag} style="text-align:{"left" if align == "<" else "right"}">'
                f"{html.escape(c)}</{tag}>"
                for c, (_, _, align) in zip(cells, _COLUMNS)
            ) + "</tr>"

        notes = "".join(f"<p>Note: {html.escape(n)}</p>" for n in self.notes)
        return (f"<p>Model <b>{html.escape(self.name)}</b> (one example)</p><table>"
                f"<thead>{tr(header, 'th')}</thead><tbody>"
                + "".join(tr(cells) for cells in body)
                + f"</tbody><tfoot>{tr(footer, 'th')}</tfoot></table>{notes}")


def _spatial(shape, data_format):
    return shape[1:-1] if data_format == "channels_last" else shape[2:]


def _prod(shape):
    return None if any(n is None for n in shape) else math.prod(shape)


def _weight_count(weights):
    return sum(math.prod(w.shape) for w in weights)


def _leaf_macs(keras, layer, input_shape, output_shape):
    """MACs of one built Keras layer given its input and output shape (with batch).

    Returns None when the layer has weights of a kind this function does not
    know, or a needed size is unknown.
    """
    layers = keras.layers
    if isinstance(layer, (layers.SeparableConv1D, layers.SeparableConv2D)):
        spatial = _prod(_spatial(output_shape, layer.data_format))
        kernels = math.prod(layer.depthwise_kernel.shape) + math.prod(layer.pointwise_kernel.shape)
        return None if spatial is None else spatial * kernels
    if isinstance(layer, (layers.Conv1DTranspose, layers.Conv2DTranspose, layers.Conv3DTranspose)):
        # Each input value is scattered through the whole kernel.
        spatial = _prod(_spatial(input_shape, layer.data_format))
        return None if spatial is None else spatial * math.prod(layer.kernel.shape)
    if isinstance(layer, (layers.Conv1D, layers.Conv2D, layers.Conv3D,
                          layers.DepthwiseConv1D, layers.DepthwiseConv2D)):
        # The kernel holds kernel_size x (in_channels / groups) x filters, or
        # kernel_size x in_channels x multiplier: one product per weight per output position.
        spatial = _prod(_spatial(output_shape, layer.data_format))
        return None if spatial is None else spatial * math.prod(layer.kernel.shape)
    if isinstance(layer, layers.Dense):
        positions = _prod(output_shape[1:-1])
        return None if positions is None else positions * math.prod(layer.kernel.shape)
    if not layer.weights or isinstance(layer, (
        layers.BatchNormalization, layers.LayerNormalization, layers.GroupNormalization,
        layers.Normalization, layers.Embedding,
    )):
        return 0
    return None


def _composite_macs(keras, layer):
    """MACs of a custom layer made of sublayers, from the shapes they were built with."""
    total = 0
    for sub in layer._flatten_layers(include_self=False, recursive=True):
        if sub._flatten_layers(include_self=False, recursive=False):
            continue
        if not sub.weights:
            continue
        config = sub.get_build_config() or {}
        shape = config.get("input_shape")
        if shape is None:
            return None
        shape = tuple(shape)
        try:
            out = sub.compute_output_shape(shape)
        except NotImplementedError:
            return None
        macs = _leaf_macs(keras, sub, shape, tuple(out))
        if macs is None:
            return None
        total += macs
    return total


def _graph_of(model):
    """The Functional graph behind a Functional or Sequential model, else None."""
    if hasattr(model, "_functional"):
        return model._functional
    if hasattr(model, "_nodes") and hasattr(model, "_operations"):
        return model
    return None


def _graph_nodes(graph):
    """The graph's nodes (one per layer call), inputs first, in Keras' order."""
    for depth in sorted(graph._nodes_by_depth, reverse=True):
        yield from graph._nodes_by_depth[depth]


def _propagate(keras, operation, node, specs):
    """Output specs of `node` for the (possibly new) input specs in `specs`."""
    args, kwargs = node.arguments.fill_in(specs)
    try:
        if isinstance(operation, keras.layers.Layer) and operation.input_spec is not None:
            # compute_output_spec trusts its input (Dense keeps its units for
            # any input length), so check the shape as Layer.__call__ would.
            from keras.src.layers.input_spec import assert_input_compatibility

            assert_input_compatibility(operation.input_spec, args[0] if args else None,
                                       operation.name)
        return keras.tree.flatten(operation.compute_output_spec(*args, **kwargs))
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"`input_shape` does not fit layer {operation.name!r}: {error}"
        ) from None


def _summary_rows(keras, model, prefix, nested, seen, unknown, inputs):
    """Rows of a graph model fed with `inputs` (KerasTensors); returns its output specs."""
    graph = _graph_of(model)
    specs = {id(ref): spec for ref, spec in zip(graph.inputs, inputs)}
    for node in _graph_nodes(graph):
        operation = node.operation
        in_specs = [specs[id(t)] for t in node.input_tensors]
        changed = any(a is not b for a, b in zip(in_specs, node.input_tensors))
        if isinstance(operation, keras.Model) and _graph_of(operation) is not None:
            outputs = yield from _summary_rows(keras, operation, f"{prefix}{operation.name}/",
                                               True, seen, unknown, in_specs)
        else:
            if node.is_input:
                outputs = [specs.get(id(t), t) for t in node.outputs]
            elif changed:
                outputs = _propagate(keras, operation, node, specs)
            else:
                outputs = node.outputs
            # A nested model's input is the outer tensor under another name.
            yield _row(keras, operation, f"{prefix}{operation.name}", seen, unknown,
                       in_specs, outputs, changed, view=nested and node.is_input)
        specs.update((id(ref), out) for ref, out in zip(node.outputs, outputs))
    return [specs[id(t)] for t in graph.outputs]


def _row(keras, operation, name, seen, unknown, inputs, outputs, changed, view):
    first_call = id(operation) not in seen
    seen.add(id(operation))
    kind = type(operation).__name__
    inputs = [tuple(t.shape) for t in inputs]
    shapes = [tuple(t.shape) for t in outputs]
    per_example = [shape[1:] for shape in shapes]
    counts = [_prod(shape) for shape in per_example]
    activations = None if None in counts else sum(counts)
    sizes = [DTYPE_SIZES.get(str(t.dtype)) for t in outputs]
    memory = (None if activations is None or None in sizes
              else sum(c * s for c, s in zip(counts, sizes)))
    weights = getattr(operation, "weights", [])
    if not weights:
        macs = 0
    elif len(inputs) == 1 and len(shapes) == 1:
        macs = _leaf_macs(keras, operation, inputs[0], shapes[0])
        # A composite's sublayers were built for its original input shape.
        if macs is None and not changed and operation._flatten_layers(
                include_self=False, recursive=False):
            macs = _composite_macs(keras, operation)
    else:
        macs = None
    if activations is None or any(None in shape[1:] for shape in inputs):
        unknown["sizes"].append(name)
    elif macs is None:
        unknown["macs"].append(f"{name} ({kind})")
    trainable = getattr(operation, "trainable_weights", [])
    return {
        "name": name if first_call else f"{name} (again)",
        "type": kind,
        "output_shape": per_example[0] if len(per_example) == 1 else per_example,
        "params": _weight_count(weights) if first_call else 0,
        "trainable_params": _weight_count(trainable) if first_call else 0,
        "activations": activations,
        "activation_bytes": memory,
        "macs": macs,
        "view": view or kind in _VIEW_TYPES,
    }


def _listing(names, shown=5):
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _input_specs(keras, graph, input_shape):
    if input_shape is None:
        return list(graph.inputs)
    if not isinstance(input_shape, (list, tuple)):
        raise TypeError(f"`input_shape` must be a tuple of sizes, got {input_shape!r}.")
    single = not any(isinstance(n, (list, tuple)) for n in input_shape)
    per_input = [input_shape] if single else input_shape
    if len(per_input) != len(graph.inputs):
        raise ValueError(
            f"`input_shape` must be one tuple per model input ({len(graph.inputs)}), without "
            f"the batch axis; got {input_shape!r}."
        )
    specs = []
    for i, (shape, ref) in enumerate(zip(per_input, graph.inputs)):
        label = "input_shape" if single else f"input_shape[{i}]"
        if not isinstance(shape, (list, tuple)) or len(shape) != len(ref.shape) - 1:
            raise ValueError(
                f"`{label}` must be a tuple of {len(ref.shape) - 1} sizes (the model input "
                f"{tuple(ref.shape)} without the batch axis), got {shape!r}."
            )
        sizes = tuple(_size(n, f"{label}[{j}]") for j, n in enumerate(shape))
        specs.append(keras.KerasTensor((ref.shape[0], *sizes), dtype=ref.dtype))
    return specs


def summarize(model, input_shape=None):
    """Per-layer table of a built Keras model: shapes, parameters, memory, MACs.

    Nested Functional and Sequential models (a pre-trained base inside a
    transfer-learning model) are flattened: their layers appear as
    ``"outer/inner"`` rows, and their input layers as views. Any other layer
    is one row; for a custom layer made of sublayers, its MACs are the sum of
    its convolution and dense sublayers', from the shapes they were built with.

    What counts:

    * **params**: the layer's weights (trainable and not); a layer called
      twice counts once.
    * **activations**: values in the layer's output for one example; the
      model input counts; views (``Flatten``, ``Reshape``, ``Dropout`` and
      friends, nested inputs) are shown in parentheses and not added again.
      Summed over the model, this is the forward-pass activation memory of
      the CS231n VGG16 table.
    * **activation_bytes**: activations times the output dtype's size.
    * **macs**: multiply-adds with weights: ``Conv1D/2D/3D`` (groups,
      strides, dilation), ``DepthwiseConv``, ``SeparableConv``,
      ``ConvTranspose`` (input positions x kernel size), ``Dense`` (per
      position); 0 for weightless layers (pooling, activations, merges,
      reshapes) and for normalisation and embedding layers; bias additions
      are not counted.

    Args:
        model: a built ``keras.Model`` (Functional or Sequential; a
            subclassed model is reported as one row).
        input_shape: optional shape of one example, without the batch axis
            (a list of them for several inputs), to summarise a model built
            with unknown sizes, such as ``keras.Input((None, None, 3))``, at a
            concrete size; it must fit the model's layers.

    Returns:
        Summary: ``.rows`` (list of dicts), ``.totals`` (dict), ``.notes``;
        ``print(summary)`` draws the table.

    Raises:
        TypeError: ``model`` is not a Keras model.
        ValueError: the model is not built, or ``input_shape`` does not fit it.

    Example:
        >>> import keras
        >>> model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Conv2D(10, 5)])
        >>> summary = summarize(model)
        >>> summary.rows[-1]["output_shape"], summary.totals["params"]
        ((28, 28, 10), 760)
    """
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"`model` must be a keras.Model, got {type(model).__name__}.")
    if not model.built:
        raise ValueError(
            f"`model` {model.name!r} is not built: start it with keras.Input(shape), or call "
            f"model.build(input_shape) or the model on a batch first."
        )
    unknown = {"macs": [], "sizes": []}
    notes = []
    if _graph_of(model) is None:
        if input_shape is not None:
            raise ValueError(
                f"`input_shape` needs a Functional or Sequential model; {model.name!r} is a "
                f"subclassed model: call it on a batch of that shape instead."
            )
        macs = _composite_macs(keras, model)
        if macs is None:
            unknown["macs"].append(model.name)
        notes.append("a subclassed model has no layer graph: reported as one row.")
        rows = [{
            "name": model.name, "type": type(model).__name__, "output_shape": None,
            "params": model.count_params(),
            "trainable_params": _weight_count(model.trainable_weights),
            "activations": None, "activation_bytes": None, "macs": macs, "view": False,
        }]
    else:
        inputs = _input_specs(keras, _graph_of(model), input_shape)
        rows = list(_summary_rows(keras, model, "", False, set(), unknown, inputs))
        if unknown["sizes"]:
            notes.append(f"sizes not fully known, so activations and MACs are not either "
                         f"(pass input_shape=): {_listing(unknown['sizes'])}.")
    if unknown["macs"]:
        notes.append(f"MACs unknown (a layer type with weights that summarize does not "
                     f"know): {_listing(unknown['macs'])}.")
    return Summary(model.name, rows, notes)
