"""Memory of activations: bytes per dtype, per tensor, and readable byte counts."""

import math

from ._arguments import _integer

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
