"""Embeddings: a network's pooled features as unit vectors, and cosine similarity."""

import numpy as np

from .._checks import positive_int


def l2_normalize(vectors, name="vectors"):
    """Rows divided by their Euclidean length, as float32.

    Args:
        vectors: array ``(n, d)`` of finite values, no all-zero row.
        name: the argument's name in error messages.

    Returns:
        float32 array ``(n, d)`` whose rows have length 1.
    """
    vectors = check_vectors(vectors, name)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    if np.any(norms == 0):
        raise ValueError(f"{name} has an all-zero row (row {int(np.flatnonzero(norms[:, 0] == 0)[0])}): "
                         "it has no direction, so no cosine similarity")
    return (vectors / norms).astype(np.float32)


def check_vectors(vectors, name="vectors", dim=None):
    """``vectors`` as a finite float32 ``(n, d)`` array (``d == dim`` when given)."""
    array = np.asarray(vectors)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
        raise TypeError(f"{name} must be a numeric array (n, d), got dtype {array.dtype}")
    if array.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (n, d), got shape {array.shape}")
    if dim is not None and array.shape[1] != dim:
        raise ValueError(f"{name} must have dimension {dim} (the index's), got shape {array.shape}")
    array = array.astype(np.float32, copy=False)
    if not np.all(np.isfinite(array)):
        bad = int(np.flatnonzero(~np.all(np.isfinite(array), axis=1))[0])
        raise ValueError(f"{name} must be finite: row {bad} holds NaN or infinity")
    return array


def cosine_similarity(a, b):
    """``cos(a_i, b_j) = a_i . b_j / (|a_i| |b_j|)`` for every pair of rows.

    Example:
        >>> cosine_similarity([[1.0, 0.0]], [[1.0, 1.0], [0.0, 2.0]]).round(3).tolist()
        [[0.707, 0.0]]
    """
    return l2_normalize(a, "a") @ l2_normalize(b, "b").T


def embed(model, images, *, batch_size=256, normalize=True):
    """One embedding per image: the model's output, flattened, optionally L2-normalised.

    A backbone that ends in global average pooling gives DenseNet's feature vector;
    one that ends in a feature map is average-pooled here, so both work.

    Args:
        model: a ``keras.Model`` (or any callable ``model(x, training=False)``).
        images: array ``(n, H, W, C)``.
        batch_size: images per forward pass.
        normalize: divide each embedding by its length (then a dot product is the
            cosine similarity).

    Returns:
        float32 array ``(n, d)``.
    """
    import keras

    batch_size = positive_int(batch_size, "batch_size")
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 4:
        raise ValueError(f"images must be a 4-D array (n, height, width, channels), got shape {images.shape}")
    if len(images) == 0:
        raise ValueError("images is empty: nothing to embed")
    parts = []
    for start in range(0, len(images), batch_size):
        out = keras.ops.convert_to_numpy(model(images[start:start + batch_size], training=False))
        if out.ndim == 4:
            out = out.mean(axis=(1, 2))
        parts.append(out.reshape(len(out), -1))
    vectors = np.concatenate(parts).astype(np.float32)
    return l2_normalize(vectors, "the model's outputs") if normalize else vectors
