"""scikit-image's Labeled Faces in the Wild subset: 100 faces and 100 non-faces, 25x25 grey."""

import functools

import numpy as np

from .split import check_image_size, finish, resize_images, stratified_split

CLASS_NAMES = ("non-face", "face")


@functools.lru_cache(maxsize=1)
def _raw_faces():
    from skimage.data import lfw_subset

    images = lfw_subset().astype(np.float32)
    # scikit-image documents the order: the first 100 images are faces, the
    # last 100 are random patches of the same photos without a face.
    labels = np.repeat(np.array([1, 0], dtype=np.int64), [100, 100])
    images.flags.writeable = False
    labels.flags.writeable = False
    return images, labels


def faces(image_size=25, test_size=0.25, seed=0, as_dataset=False, batch_size=32):
    """Faces vs non-faces (LFW subset bundled with scikit-image), offline.

    Args:
        image_size: side of the square images; 25 is the original resolution.
        test_size: fraction in (0, 1) or int count of test images; stratified.
        seed: int seed of the split (and of the training-set shuffle when
            ``as_dataset``).
        as_dataset: return batched ``keras.utils.PyDataset`` objects (any backend) instead of arrays.
        batch_size: batch size when ``as_dataset``.

    Returns:
        ``Split(x_train, y_train, x_test, y_test, class_names)`` with float32
        images (N, image_size, image_size, 1) in [0, 1] and labels 1 = "face",
        0 = "non-face"; or ``(train_ds, test_ds, class_names)`` when ``as_dataset``.

    Example:
        >>> faces().x_train.shape
        (150, 25, 25, 1)
    """
    image_size = check_image_size(image_size)
    images, labels = _raw_faces()
    images = resize_images(images, image_size)[..., None]
    split = stratified_split(images, labels, CLASS_NAMES, test_size=test_size, seed=seed)
    return finish(split, as_dataset=as_dataset, batch_size=batch_size, seed=seed)
