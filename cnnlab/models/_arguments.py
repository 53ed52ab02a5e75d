"""Checks of the builders' architecture arguments: depths, activations, weights, input sizes.

Kept apart from ``_common`` and ``_applications`` (which check ``input_shape``'s form):
these say which values an architecture accepts, each error naming the argument.
"""

import functools
import numbers
import os

import keras

from .._checks import boolean, positive_int

# Upper bounds of the size arguments, so that a typo ends in a message, not in
# minutes of allocation and an out-of-memory error from the backend. The largest
# label set in common use (ImageNet-21k) has 21,841 classes; the widest
# convolution of the published families has 2,560 channels (EfficientNet-B7).
MAX_CLASSES = 100_000
MAX_WIDTH = 8192
# One weight tensor of more than this (a Flatten-fed Dense on a large input) is refused.
MAX_WEIGHT_BYTES = 2 * 2**30

# The shrinking steps of a chain of layers (see min_input_side).
VALID = "valid"
SAME = "same"
PAD = "pad"


def int_choice(value, name, allowed):
    """One of ``allowed`` ints: 18.0 or "18" is refused, not silently taken for 18."""
    listed = ", ".join(map(str, allowed))
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, one of {listed}; got {value!r}")
    if value not in allowed:
        raise ValueError(f"{name} must be one of {listed}; got {value!r}")
    return int(value)


def activation(value, name):
    """None, a callable, or the name of a Keras activation ("softmax", "relu", ...)."""
    if value is None or callable(value):
        return value
    if not isinstance(value, str):
        raise TypeError(f"{name} must be None, a callable or an activation name, got {value!r}")
    try:
        keras.activations.get(value)
    except ValueError:
        known = sorted(n for n in dir(keras.activations)
                       if not n.startswith("_") and n not in ("get", "serialize", "deserialize"))
        raise ValueError(f"{name} must be None or a Keras activation name ({', '.join(known)}); "
                         f"got {value!r}") from None
    return value


def weights_argument(weights, builder):
    """None or a ``.weights.h5`` path, before it reaches ``_applications.load_weights``."""
    if weights is not None and not isinstance(weights, (str, os.PathLike)):
        raise TypeError(f"weights must be None or a path to a .weights.h5 file saved from "
                        f"{builder}, got {weights!r}")
    if weights is not None and os.fspath(weights) == "imagenet":
        raise ValueError(
            f"weights='imagenet' is not available for {builder}: use weights=None or a "
            ".weights.h5 path; cnnlab.transfer.backbone(name, weights='imagenet') loads Keras' "
            "ImageNet models, and vgg() and inception_v3() copy theirs"
        )
    # Checked before the (possibly large) model is built; load_weights says the same.
    if weights is not None and not os.fspath(weights).endswith(".weights.h5"):
        raise ValueError(f"weights must be None or a path ending in .weights.h5, got {weights!r}")
    if weights is not None and not os.path.exists(weights):
        raise ValueError(f"weights file {os.fspath(weights)!r} does not exist")
    return weights


def head_arguments(include_top, classifier_activation, weights, builder):
    """The keras.applications-style arguments of the ImageNet-layout builders."""
    boolean(include_top, "include_top")
    activation(classifier_activation, "classifier_activation")
    weights_argument(weights, builder)


def min_input_side(chain):
    """Smallest height (or width) for which every layer of ``chain`` outputs at least one pixel.

    ``chain`` lists, input to output, the layers that change a map's size:
    ``(VALID, kernel, stride)`` for an unpadded convolution or pooling (``floor((n -
    kernel) / stride) + 1`` pixels out), ``(SAME, stride)`` for a ``padding="same"``
    one (``ceil(n / stride)``), ``(PAD, pixels)`` for zero padding on each side.
    Walking backwards from one pixel, ``m`` output pixels need ``(m - 1) * stride +
    kernel`` at a valid layer's input and ``(m - 1) * stride + 1`` at a same one's.
    """
    side = 1
    for step in reversed(chain):
        if step[0] == VALID:
            side = (side - 1) * step[2] + step[1]
        elif step[0] == SAME:
            side = (side - 1) * step[1] + 1
        else:
            side = max(1, side - 2 * step[1])
    return side


def check_min_side(input_shape, chain, builder):
    """Raise a ValueError naming ``input_shape`` and the minimum when a known side is too small."""
    minimum = min_input_side(chain)
    if any(side is not None and side < minimum for side in tuple(input_shape)[:2]):
        raise ValueError(
            f"input_shape {tuple(input_shape)} is too small for {builder}: height and width must "
            f"be at least {minimum} (its strided layers would shrink the map to nothing)"
        )
    return minimum


def num_classes_argument(value, name="num_classes"):
    return positive_int(value, name, maximum=MAX_CLASSES)


def width_argument(value, name):
    """A channel count (filters, growth rate, width) a layer can allocate."""
    return positive_int(value, name, maximum=MAX_WIDTH)


def dense(x, units, *, name, **kwargs):
    """``keras.layers.Dense(units)(x)``, refused when its kernel would exceed ``MAX_WEIGHT_BYTES``.

    The classic nets flatten their last feature map, so the first fully connected
    layer grows with the square of the input side: VGG-16 on 2,000x2,000 pixels
    would need a 1,968,128 x 4,096 kernel (30 GiB).
    """
    features = x.shape[-1]
    nbytes = features * units * 4
    if nbytes > MAX_WEIGHT_BYTES:
        raise ValueError(
            f"layer {name!r} would need a {features:,} x {units:,} weight matrix ({nbytes / 2**30:,.1f} "
            f"GiB, at most {MAX_WEIGHT_BYTES // 2**30} GiB): its input, the flattened feature map, is "
            "too large; use a smaller input_shape, fewer num_classes, or include_top=False"
        )
    return keras.layers.Dense(units, name=name, **kwargs)(x)


def _out_of_memory(error):
    """The backends' out-of-memory errors: MemoryError, TF's ResourceExhaustedError, torch's, XLA's."""
    text = str(error)
    return (isinstance(error, MemoryError)
            or type(error).__name__ in ("ResourceExhaustedError", "OutOfMemoryError")
            or "RESOURCE_EXHAUSTED" in text or "out of memory" in text.lower())


def memory_checked(builder):
    """Turn an out-of-memory error while ``builder`` allocates weights into a ValueError saying why.

    The explicit bounds above catch single arguments; this catches combinations
    (a wide growth rate on a deep DenseNet) whose weights do not fit in memory.
    """
    @functools.wraps(builder)
    def build(*args, **kwargs):
        try:
            return builder(*args, **kwargs)
        except Exception as error:
            if not _out_of_memory(error):
                raise
            arguments = ", ".join([*map(repr, args), *(f"{k}={v!r}" for k, v in kwargs.items())])
            first_line = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
            raise ValueError(
                f"{builder.__name__}({arguments}) needs more memory for its weights than this "
                f"machine can allocate ({type(error).__name__}: {first_line}); use a smaller "
                "input_shape, num_classes or width"
            ) from None
    return build
