"""Argument checks shared by cnnlab's layers, builders and helpers.

Pure Python: ``cnnlab.shapes`` and the exercise tools stay TensorFlow-free.
Each check names the argument and what is allowed, and returns the value.
"""

import numbers


def integer(value, name, minimum=1, maximum=None):
    """An int (NumPy integers too, never a bool) of at least ``minimum`` (and at most ``maximum``)."""
    allowed = f">= {minimum}" if maximum is None else f"in [{minimum}, {maximum:,}]"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int {allowed}, got {value!r}")
    if value < minimum or (maximum is not None and value > maximum):
        raise ValueError(f"{name} must be {allowed}, got {value}")
    return int(value)


def positive_int(value, name, maximum=None):
    return integer(value, name, minimum=1, maximum=maximum)


def boolean(value, name):
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return value


def fraction(value, name, *, low, high, low_open=False, high_open=False):
    """A float in the interval given by ``low``/``high`` (closed unless told open)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, got {value!r}")
    value = float(value)
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if too_low or too_high:
        interval = f"{'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
        raise ValueError(f"{name} must be in {interval}, got {value}")
    return value


def choice(value, name, allowed):
    if isinstance(value, bool) or value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}; got {value!r}")
    return value


def channels_of(input_shape, layer_name):
    """The (known) channel count of an NHWC input shape."""
    if len(input_shape) != 4:
        raise ValueError(
            f"{layer_name} expects a 4-D input (batch, height, width, channels), "
            f"got shape {tuple(input_shape)}"
        )
    if input_shape[-1] is None:
        raise ValueError(
            f"{layer_name} needs a known channel count, got shape {tuple(input_shape)}"
        )
    return int(input_shape[-1])


def same_output_size(size, stride):
    """Spatial size after a ``padding="same"`` convolution or pooling of this stride."""
    return None if size is None else -(-size // stride)
