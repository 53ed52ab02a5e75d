"""Receptive fields along one axis of a stack of convolution and pooling layers."""

from fractions import Fraction
from typing import NamedTuple

from ._arguments import _axis_padding, _integer, _size
from .sizes import _axis_output, _effective_kernel, _resolve


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
