"""``load("tfds:NAME")``: TensorFlow Datasets for users with a network, and one
entry point for the embedded sets."""

import importlib
import os

from .split import check_batch_size, check_image_size
from .._checks import boolean

_EMBEDDED = {
    "digits": ("cnnlab.data.digits", "digits"),
    "faces": ("cnnlab.data.faces", "faces"),
    "textures": ("cnnlab.data.textures", "textures"),
    "shapes": ("cnnlab.data.shapes", "shapes"),
}
TFDS_PREFIX = "tfds:"


def default_data_dir():
    """Where TFDS keeps prepared data sets: ``$TFDS_DATA_DIR`` or ``~/tensorflow_datasets``."""
    return os.environ.get("TFDS_DATA_DIR") or os.path.join(os.path.expanduser("~"), "tensorflow_datasets")


class DatasetNotAvailableError(RuntimeError):
    """A TFDS data set is neither prepared in the cache nor downloadable here."""


def _not_available(name, data_dir, reason):
    return DatasetNotAvailableError(
        f"TFDS data set {name!r} is not prepared in {data_dir!r} and {reason}. "
        f"On a machine with a network run:\n"
        f"    tfds build {name} --data_dir={data_dir}\n"
        f"(or python -c \"import tensorflow_datasets as tfds; tfds.builder({name!r}, "
        f"data_dir={data_dir!r}).download_and_prepare()\") and copy {data_dir!r} here; "
        f"then load(..., download=False) reads it without a network."
    )


def load(name, **kwargs):
    """Load a data set by name: an embedded one, or ``"tfds:NAME"`` from TensorFlow Datasets.

    ``load("digits", image_size=32)`` is ``cnnlab.data.digits(image_size=32)``
    (likewise "faces", "textures", "shapes"). ``load("tfds:tf_flowers", ...)``
    takes the keyword arguments of :func:`load_tfds`.

    Raises:
        ValueError: unknown name.
        DatasetNotAvailableError: a TFDS set is not cached and cannot be downloaded.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str such as 'digits' or 'tfds:tf_flowers', got {name!r}")
    if name.startswith(TFDS_PREFIX):
        return load_tfds(name[len(TFDS_PREFIX):], **kwargs)
    if name not in _EMBEDDED:
        raise ValueError(
            f"name must be one of {sorted(_EMBEDDED)} or 'tfds:NAME' (a TensorFlow Datasets name), got {name!r}"
        )
    module, function = _EMBEDDED[name]
    return getattr(importlib.import_module(module), function)(**kwargs)


def load_tfds(name, *, split=("train[:80%]", "train[80%:]"), data_dir=None, download=True,
              image_size=None, batch_size=32, shuffle_seed=0):
    """A TensorFlow Datasets image classification set as batched ``(image, label)`` pipelines.

    Args:
        name: TFDS name, e.g. "tf_flowers", "cifar10" (optionally with
            ":VERSION" / "/CONFIG").
        split: one TFDS split string (e.g. "test") or a sequence of them
            (default: an 80/20 split of "train", because tf_flowers has no test split).
        data_dir: the cache directory; ``None`` uses :func:`default_data_dir`.
        download: when the set is not prepared in ``data_dir``, download and
            prepare it (needs a network). ``False`` never touches the network.
        image_size: resize images to ``image_size`` x ``image_size``
            (required when the set's images differ in size, e.g. tf_flowers).
        batch_size: batch size; ``None`` leaves the pipelines unbatched.
        shuffle_seed: seed of the shuffle of the first split (the training part).

    Returns:
        ``(*datasets, class_names)``: one ``tf.data.Dataset`` per split, of
        float32 images in [0, 1] (NHWC) and int64 labels, then the class names.
        ``model.fit`` takes them on every Keras backend (TensorFlow Datasets
        needs TensorFlow installed, which cnnlab always is).

    Raises:
        DatasetNotAvailableError: not prepared in ``data_dir`` and ``download``
            is False or the download failed (no network); the message gives
            the command to run on a machine with a network.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty TFDS name such as 'tf_flowers', got {name!r}")
    splits = [split] if isinstance(split, str) else list(split)
    if not splits or not all(isinstance(s, str) and s for s in splits):
        raise ValueError(f"split must be a split string or a sequence of them, got {split!r}")
    boolean(download, "download")
    if image_size is not None:
        image_size = check_image_size(image_size)
    if batch_size is not None:
        batch_size = check_batch_size(batch_size)
    data_dir = os.fspath(data_dir) if data_dir is not None else default_data_dir()

    import tensorflow as tf
    import tensorflow_datasets as tfds

    builder = tfds.builder(name, data_dir=data_dir)
    if not builder.is_prepared():
        if not download:
            raise _not_available(name, data_dir, "download=False")
        try:
            builder.download_and_prepare()
        except OSError as err:
            raise _not_available(name, data_dir, f"downloading it failed ({type(err).__name__}: {err})") from err
    label = builder.info.features["label"]
    class_names = tuple(label.names)

    def prepare(image, label):
        image = tf.image.convert_image_dtype(image, tf.float32)
        if image_size is not None:
            image = tf.image.resize(image, (image_size, image_size))
        return image, label

    datasets = []
    for index, one in enumerate(splits):
        ds = builder.as_dataset(split=one, as_supervised=True, shuffle_files=False)
        if index == 0:
            ds = ds.shuffle(2048, seed=shuffle_seed, reshuffle_each_iteration=True)
        ds = ds.map(prepare, num_parallel_calls=tf.data.AUTOTUNE)
        if batch_size is not None:
            ds = ds.batch(batch_size)
        datasets.append(ds.prefetch(tf.data.AUTOTUNE))
    return (*datasets, class_names)
