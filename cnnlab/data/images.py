"""Single photos for visual demos, all shipped inside scikit-image or scikit-learn."""

import functools

import numpy as np

from .._checks import boolean

# Each name is a file inside the installed wheel (no download): scikit-image's
# bundled ("legacy") data files and scikit-learn's two sample JPEGs.
_SKIMAGE = ("astronaut", "brick", "camera", "cell", "chelsea", "coffee", "coins",
            "grass", "gravel", "moon", "page", "rocket", "text")
_SKLEARN = {"china": "china.jpg", "flower": "flower.jpg"}
SAMPLE_IMAGES = tuple(sorted(_SKIMAGE + tuple(_SKLEARN)))


@functools.lru_cache(maxsize=None)
def _load(name):
    if name in _SKLEARN:
        from sklearn.datasets import load_sample_image

        image = load_sample_image(_SKLEARN[name])
    else:
        import skimage.data

        image = getattr(skimage.data, name)()
    image = np.asarray(image, dtype=np.float32) / 255.0
    image.flags.writeable = False
    return image


def sample_image(name, grayscale=False):
    """A photo as float32 in [0, 1]: (H, W) if grey, (H, W, 3) if colour.

    Args:
        name: one of ``SAMPLE_IMAGES`` ("camera", "astronaut", "coffee",
            "china", "flower", "brick", ...).
        grayscale: convert a colour photo to grey (ITU-R 709 luma), shape (H, W).

    Returns:
        A new float32 array (safe to modify).

    Example:
        >>> sample_image("camera").shape
        (512, 512)
    """
    if not isinstance(name, str) or name not in SAMPLE_IMAGES:
        raise ValueError(f"name must be one of {SAMPLE_IMAGES}, got {name!r}")
    boolean(grayscale, "grayscale")
    image = _load(name)
    if grayscale and image.ndim == 3:
        from skimage.color import rgb2gray

        return rgb2gray(image).astype(np.float32)
    return image.copy()
