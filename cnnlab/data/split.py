"""The return type every embedded data set shares, and the helpers that build it."""

import math
import numbers
from typing import NamedTuple

import numpy as np

from .._checks import boolean


class Split(NamedTuple):
    """A reproducible train/test split.

    Images are float32 NHWC in [0, 1]; labels are int64 class indices into
    ``class_names``.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple


# The largest float32 array a data set function builds (2 GiB): a size with no
# bound would otherwise end in NumPy's MemoryError, or in swapping, not in a message.
MAX_ARRAY_BYTES = 2 * 2**30


def check_array_size(shape, arguments):
    """Refuse to build a float32 array of ``shape`` over ``MAX_ARRAY_BYTES``, naming ``arguments``."""
    nbytes = 4 * math.prod(int(d) for d in shape)
    if nbytes > MAX_ARRAY_BYTES:
        raise ValueError(
            f"{arguments} would need a float32 array of shape {tuple(shape)} "
            f"({nbytes / 2**30:.1f} GiB), over cnnlab.data's limit of "
            f"{MAX_ARRAY_BYTES // 2**30} GiB; ask for fewer or smaller images"
        )


def check_noise(noise):
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real):
        raise TypeError(f"noise must be a number >= 0 and finite, got {noise!r}")
    if not (math.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a number >= 0 and finite, got {noise!r}")
    return float(noise)


def check_seed(seed):
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be an int >= 0, got {seed!r}")
    return int(seed)


def check_image_size(image_size):
    if isinstance(image_size, bool) or not isinstance(image_size, numbers.Integral) or image_size < 4:
        raise ValueError(f"image_size must be an int >= 4, got {image_size!r}")
    return int(image_size)


def check_batch_size(batch_size):
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}")
    return int(batch_size)


def resize_images(images, image_size):
    """Bilinear resize of an (N, H, W) or (N, H, W, C) stack to image_size x image_size.

    Anti-aliasing is used only when shrinking: blurring an upscaled 8x8 digit
    would only throw information away.
    """
    from skimage.transform import resize

    images = np.asarray(images, dtype=np.float32)
    check_array_size((*images.shape[:1], image_size, image_size, *images.shape[3:]), "image_size")
    height, width = images.shape[1:3]
    if (height, width) == (image_size, image_size):
        return images.copy()
    # Stack the samples along the last axis so one call resizes them all and no
    # interpolation or smoothing ever mixes two samples.
    moved = np.moveaxis(images, 0, -1)
    shrinking = image_size < min(height, width)
    out = resize(moved, (image_size, image_size), order=1, anti_aliasing=shrinking,
                 preserve_range=True, mode="edge")
    return np.clip(np.moveaxis(out, -1, 0), 0.0, 1.0).astype(np.float32)


def stratified_split(images, labels, class_names, *, test_size, seed):
    """Split once, stratified by class, reproducibly for a given seed.

    Args:
        images: float array (N, H, W, C) in [0, 1].
        labels: int array (N,).
        class_names: names indexed by label.
        test_size: a fraction in (0, 1) or an int count of test samples.
        seed: int seed.

    Returns:
        A :class:`Split`.
    """
    from sklearn.model_selection import train_test_split

    count = len(labels)
    fraction = isinstance(test_size, numbers.Real) and not isinstance(test_size, numbers.Integral)
    if isinstance(test_size, bool) or not (
        (fraction and 0.0 < test_size < 1.0)
        or (isinstance(test_size, numbers.Integral) and len(class_names) <= test_size <= count - len(class_names))
    ):
        raise ValueError(
            f"test_size must be a fraction in (0, 1) or an int in "
            f"[{len(class_names)}, {count - len(class_names)}], got {test_size!r}"
        )
    x_train, x_test, y_train, y_test = train_test_split(
        images, labels, test_size=test_size, random_state=check_seed(seed), stratify=labels
    )
    return Split(
        np.ascontiguousarray(x_train, dtype=np.float32),
        np.asarray(y_train, dtype=np.int64),
        np.ascontiguousarray(x_test, dtype=np.float32),
        np.asarray(y_test, dtype=np.int64),
        tuple(class_names),
    )


def select_classes(images, labels, class_names, classes):
    """Keep only ``classes`` (names or indices) and renumber their labels 0..k-1.

    A new label set for transfer learning: ``digits(classes=[5, 6, 7, 8, 9])``
    gives labels 0..4 named "5".."9".
    """
    if classes is None:
        return images, labels, tuple(class_names)
    names = list(class_names)
    if isinstance(classes, (str, bytes)) or not hasattr(classes, "__iter__"):
        raise TypeError(f"classes must be a list of class names or indices, got {classes!r}")
    indices = []
    for item in classes:
        if isinstance(item, str) and item in names:
            indices.append(names.index(item))
        elif isinstance(item, numbers.Integral) and not isinstance(item, bool) and 0 <= item < len(names):
            indices.append(int(item))
        else:
            raise ValueError(f"classes must hold names from {names} or indices 0..{len(names) - 1}, got {item!r}")
    if len(set(indices)) != len(indices) or len(indices) < 2:
        raise ValueError(f"classes must name at least two distinct classes, got {list(classes)!r}")
    keep = np.isin(labels, indices)
    remap = np.full(len(names), -1, dtype=np.int64)
    remap[indices] = np.arange(len(indices))
    return images[keep], remap[labels[keep]], tuple(names[i] for i in indices)


def per_class_subset(x, y, per_class, seed=0):
    """The first ``per_class`` samples of every class after a seeded shuffle.

    Builds the "small target set" regime of transfer learning from a split's
    training part, balanced across classes.

    Args:
        x: array (N, ...).
        y: int labels (N,).
        per_class: int >= 1, at most the size of the smallest class.
        seed: int seed.

    Returns:
        ``(x_subset, y_subset)`` in shuffled order.
    """
    y = np.asarray(y)
    if y.ndim != 1 or not y.size or y.dtype == bool or not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"y must be a non-empty 1-D array of int class labels, got "
                        f"{'dtype ' + str(y.dtype) + ', ' if y.size else ''}shape {y.shape}")
    if y.min() < 0:
        raise ValueError(f"y must hold class labels >= 0, got {int(y.min())}")
    if not hasattr(x, "__len__") or len(x) != len(y):
        raise ValueError(f"x and y must have one sample each per row, got "
                         f"{len(x) if hasattr(x, '__len__') else type(x).__name__} and {len(y)}")
    counts = np.bincount(y)
    smallest = int(counts[counts > 0].min())
    if isinstance(per_class, bool) or not isinstance(per_class, numbers.Integral) or not 1 <= per_class <= smallest:
        raise ValueError(f"per_class must be an int in [1, {smallest}], got {per_class!r}")
    rng = np.random.default_rng(check_seed(seed))
    order = rng.permutation(len(y))
    chosen = np.concatenate([order[y[order] == c][:per_class] for c in np.unique(y)])
    chosen = rng.permutation(chosen)
    return np.asarray(x)[chosen], y[chosen]


def finish(split, *, as_dataset, batch_size, seed):
    """Return ``split`` as arrays, or as batched pipelines for ``model.fit``."""
    boolean(as_dataset, "as_dataset")
    batch_size = check_batch_size(batch_size)
    if not as_dataset:
        return split
    return (*to_datasets(split, batch_size=batch_size, seed=seed), split.class_names)


def to_datasets(split, batch_size=32, seed=0):
    """``(train, test)``: the training part shuffled (seeded, anew every epoch), both batched.

    Each is a ``keras.utils.PyDataset`` of NumPy batches
    (:class:`cnnlab.data.batches.ArrayBatches`), which ``model.fit``,
    ``evaluate`` and ``predict`` take on every Keras backend; ``for x, y in
    train`` iterates one epoch.
    """
    from .batches import ArrayBatches

    batch_size = check_batch_size(batch_size)
    seed = check_seed(seed)
    return (
        ArrayBatches(split.x_train, split.y_train, batch_size, shuffle=True, seed=seed),
        ArrayBatches(split.x_test, split.y_test, batch_size),
    )
