"""Texture patches cut from the grey photos bundled with scikit-image."""

import functools
import numbers

import numpy as np

from .split import check_image_size, finish, resize_images, stratified_split

CLASS_NAMES = ("brick", "grass", "gravel", "moon")


@functools.lru_cache(maxsize=1)
def _raw_photos():
    import skimage.data

    photos = tuple(getattr(skimage.data, name)().astype(np.float32) / 255.0 for name in CLASS_NAMES)
    for photo in photos:
        photo.flags.writeable = False
    return photos


def _check_patch_size(patch_size):
    if isinstance(patch_size, bool) or not isinstance(patch_size, numbers.Integral) or not 8 <= patch_size <= 256:
        raise ValueError(f"patch_size must be an int in [8, 256], got {patch_size!r}")
    return int(patch_size)


def _patches(photo, patch_size):
    rows, cols = photo.shape[0] // patch_size, photo.shape[1] // patch_size
    grid = photo[: rows * patch_size, : cols * patch_size]
    return grid.reshape(rows, patch_size, cols, patch_size).swapaxes(1, 2).reshape(-1, patch_size, patch_size)


def textures(image_size=32, test_size=0.25, seed=0, as_dataset=False, batch_size=32, *, patch_size=32):
    """Four texture classes (brick, grass, gravel, moon surface), offline.

    Each 512x512 photo is cut into non-overlapping ``patch_size`` squares (no
    pixel is in two patches, so no pixel is in both the training and the
    test part), then resized to ``image_size``. The photos ship inside the
    scikit-image wheel, so nothing is downloaded.

    Args:
        image_size: side of the returned square images.
        test_size: fraction in (0, 1) or int count of test images; stratified.
        seed: int seed of the split (and of the training-set shuffle when
            ``as_dataset``).
        as_dataset: return batched ``keras.utils.PyDataset`` objects (any backend) instead of arrays.
        batch_size: batch size when ``as_dataset``.
        patch_size: side of the squares cut from the photos, in [8, 256]; a
            larger patch resized to the same ``image_size`` shows a coarser scale.

    Returns:
        ``Split(x_train, y_train, x_test, y_test, class_names)`` with float32
        images (N, image_size, image_size, 1) in [0, 1], (512 // patch_size)**2
        patches per class; or ``(train_ds, test_ds, class_names)`` when ``as_dataset``.

    Example:
        >>> textures().x_train.shape
        (768, 32, 32, 1)
    """
    image_size = check_image_size(image_size)
    patch_size = _check_patch_size(patch_size)
    stacks = [_patches(photo, patch_size) for photo in _raw_photos()]
    labels = np.concatenate([np.full(len(s), i, dtype=np.int64) for i, s in enumerate(stacks)])
    images = resize_images(np.concatenate(stacks), image_size)[..., None]
    split = stratified_split(images, labels, CLASS_NAMES, test_size=test_size, seed=seed)
    return finish(split, as_dataset=as_dataset, batch_size=batch_size, seed=seed)
