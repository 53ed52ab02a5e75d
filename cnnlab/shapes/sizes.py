"""Output sizes and padding of convolutions, pooling and transposed convolutions.

One axis (:func:`conv_output_size`, :func:`resolve_padding`,
:func:`fitting_padding`), then per-example shapes of the Keras 2-D layers. The
conventions are in :mod:`cnnlab.shapes`.
"""

from fractions import Fraction

from ._arguments import _axis_padding, _bool, _hwc, _integer, _pair, _padding_2d, _size


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
