"""Parameters and multiply-adds (MACs) of convolution and dense layers.

A MAC is one multiply-add of an input value with a weight; see the conventions
in :mod:`cnnlab.shapes`.
"""

from ._arguments import _bool, _hwc, _integer, _pair
from .sizes import conv2d_output_shape


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
