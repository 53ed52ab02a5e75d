"""scikit-learn's 1,797 handwritten digits (8x8, 17 grey levels), shipped with scikit-learn."""

import functools

import numpy as np

from .split import check_image_size, finish, resize_images, select_classes, stratified_split

CLASS_NAMES = tuple(str(d) for d in range(10))


@functools.lru_cache(maxsize=1)
def _raw_digits():
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = (bunch.images / 16.0).astype(np.float32)
    labels = bunch.target.astype(np.int64)
    images.flags.writeable = False
    labels.flags.writeable = False
    return images, labels


@functools.lru_cache(maxsize=4)
def _resized_digits(image_size):
    images, _ = _raw_digits()
    resized = resize_images(images, image_size)[..., None]
    resized.flags.writeable = False
    return resized


def digits(image_size=8, test_size=0.25, seed=0, as_dataset=False, batch_size=32, *, classes=None):
    """Handwritten digits 0-9 from scikit-learn (Alpaydin & Kaynak, UCI), offline.

    Args:
        image_size: side of the square images; 8 is the original resolution,
            larger sizes are bilinear upsamplings (e.g. 32 for a small CNN).
        test_size: fraction in (0, 1) or int count of test images; stratified.
        seed: int seed of the split (and of the training-set shuffle when
            ``as_dataset``).
        as_dataset: return batched ``keras.utils.PyDataset`` objects (any backend) instead of arrays.
        batch_size: batch size when ``as_dataset``.
        classes: optional subset of classes (names "0".."9" or indices),
            relabelled 0..k-1 in the given order: a new label set.

    Returns:
        ``Split(x_train, y_train, x_test, y_test, class_names)`` with float32
        images of shape (N, image_size, image_size, 1) in [0, 1], or
        ``(train_ds, test_ds, class_names)`` when ``as_dataset``.

    Example:
        >>> split = digits(image_size=32)
        >>> split.x_train.shape
        (1347, 32, 32, 1)
    """
    image_size = check_image_size(image_size)
    _, labels = _raw_digits()
    images = _resized_digits(image_size)
    images, labels, names = select_classes(images, labels, CLASS_NAMES, classes)
    split = stratified_split(images, labels, names, test_size=test_size, seed=seed)
    return finish(split, as_dataset=as_dataset, batch_size=batch_size, seed=seed)
