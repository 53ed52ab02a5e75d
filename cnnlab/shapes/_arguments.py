"""Argument checks of :mod:`cnnlab.shapes`: each error names the argument and what
is allowed. Pure Python, like the rest of the package."""

import operator

PADDING_MODES = ("valid", "same", "full")


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
