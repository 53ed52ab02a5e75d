"""cnnlab.data: embedded data sets against the packages that ship them."""

import sys

import numpy as np
import pytest

from cnnlab import data


def test_import_does_not_load_tensorflow():
    import subprocess

    code = "import cnnlab.data, sys; cnnlab.data.digits(); print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_digits_are_sklearns_digits_split_stratified():
    from sklearn.datasets import load_digits

    bunch = load_digits()
    split = data.digits()
    assert isinstance(split, data.Split)
    assert split.x_train.shape == (1347, 8, 8, 1) and split.x_test.shape == (450, 8, 8, 1)
    assert split.x_train.dtype == np.float32 and split.y_train.dtype == np.int64
    assert split.class_names == tuple("0123456789")
    # Every returned image is one of scikit-learn's, scaled from 0..16 to 0..1,
    # and together the two parts are the whole set.
    everything = np.concatenate([split.x_train, split.x_test])[..., 0].reshape(len(bunch.images), -1)
    reference = (bunch.images / 16.0).reshape(len(bunch.images), -1).astype(np.float32)
    order_a = np.lexsort(everything.T)
    order_b = np.lexsort(reference.T)
    np.testing.assert_array_equal(everything[order_a], reference[order_b])
    np.testing.assert_array_equal(
        np.sort(np.concatenate([split.y_train, split.y_test])), np.sort(bunch.target)
    )
    # Stratified: each class's test share is within one image of 25 %.
    per_class = np.bincount(bunch.target)
    assert np.all(np.abs(np.bincount(split.y_test) - 0.25 * per_class) <= 1)


def test_digits_split_is_reproducible_and_seed_dependent():
    a, b, c = data.digits(seed=3), data.digits(seed=3), data.digits(seed=4)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.y_train, c.y_train)


def test_cached_arrays_cannot_be_corrupted_by_a_caller():
    first = data.digits(image_size=16)
    first.x_train[:] = -1.0
    second = data.digits(image_size=16)
    assert second.x_train.min() >= 0.0


def test_digits_resize_matches_tensorflow_bilinear():
    import tensorflow as tf

    small = data.digits(image_size=8, seed=1)
    large = data.digits(image_size=32, seed=1)
    np.testing.assert_array_equal(small.y_train, large.y_train)
    reference = np.asarray(tf.image.resize(small.x_train[:50], (32, 32), method="bilinear", antialias=False))
    np.testing.assert_allclose(large.x_train[:50], reference, atol=1e-6)


def test_digits_classes_make_a_new_label_set():
    split = data.digits(classes=["5", 6, 7, 8, 9])
    assert split.class_names == ("5", "6", "7", "8", "9")
    assert set(np.unique(split.y_train)) == {0, 1, 2, 3, 4}
    full = data.digits()
    assert len(split.y_train) + len(split.y_test) == np.sum(np.concatenate([full.y_train, full.y_test]) >= 5)


def test_faces_are_scikit_images_lfw_subset():
    from skimage.data import lfw_subset

    raw = lfw_subset()
    split = data.faces()
    assert split.class_names == ("non-face", "face")
    assert split.x_train.shape == (150, 25, 25, 1) and split.x_test.shape == (50, 25, 25, 1)
    # Match each test image back to its row in the raw array: rows 0-99 are faces.
    flat = raw.reshape(200, -1).astype(np.float32)
    for image, label in zip(split.x_test[:10], split.y_test[:10]):
        row = int(np.argmin(np.abs(flat - image.reshape(1, -1)).sum(axis=1)))
        np.testing.assert_allclose(flat[row], image.ravel(), atol=1e-6)
        assert label == (1 if row < 100 else 0)


def test_textures_are_non_overlapping_patches_of_the_photos():
    import skimage.data

    split = data.textures(image_size=32, patch_size=32)
    assert split.class_names == ("brick", "grass", "gravel", "moon")
    assert np.bincount(np.concatenate([split.y_train, split.y_test])).tolist() == [256] * 4
    brick = skimage.data.brick().astype(np.float32) / 255.0
    patch = split.x_train[np.flatnonzero(split.y_train == 0)[0], ..., 0]
    # The patch sits on the 32-pixel grid of the brick photo.
    hits = [
        (r, c)
        for r in range(0, 512, 32)
        for c in range(0, 512, 32)
        if np.allclose(brick[r : r + 32, c : c + 32], patch, atol=1e-6)
    ]
    assert len(hits) == 1
    coarse = data.textures(image_size=16, patch_size=64)
    assert coarse.x_train.shape == (192, 16, 16, 1)


@pytest.mark.parametrize("loader", [data.digits, data.faces, data.textures])
def test_as_dataset_yields_the_same_examples(loader):
    split = loader(seed=2)
    train_ds, test_ds, names = loader(seed=2, as_dataset=True, batch_size=16)
    assert names == split.class_names
    xs, ys = zip(*test_ds)
    assert xs[0].shape[0] == 16 and len(test_ds) == -(-len(split.y_test) // 16)
    np.testing.assert_array_equal(np.concatenate(xs), split.x_test)
    np.testing.assert_array_equal(np.concatenate(ys), split.y_test)
    first = [y for _, y in train_ds]
    second = [y for _, y in train_ds]
    np.testing.assert_array_equal(np.sort(np.concatenate(first)), np.sort(split.y_train))
    np.testing.assert_array_equal(np.sort(np.concatenate(second)), np.sort(split.y_train))
    # Shuffled anew every epoch, and the same orders for the same seed.
    assert not np.array_equal(np.concatenate(first), np.concatenate(second))
    again, _, _ = loader(seed=2, as_dataset=True, batch_size=16)
    np.testing.assert_array_equal(np.concatenate([y for _, y in again]), np.concatenate(first))


def test_as_dataset_feeds_fit_and_evaluate_on_any_backend():
    import keras

    train_ds, test_ds, names = data.digits(as_dataset=True, batch_size=100)
    inputs = keras.Input((8, 8, 1))
    outputs = keras.layers.Dense(len(names), activation="softmax")(keras.layers.Flatten()(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(keras.optimizers.SGD(0.5), "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(train_ds, epochs=2, verbose=0)
    assert int(model.optimizer.iterations) == 2 * len(train_ds) == 2 * 14
    # A linear classifier on the 8x8 digits: well above chance after two epochs.
    assert model.evaluate(test_ds, verbose=0, return_dict=True)["accuracy"] > 0.8


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"image_size": 2}, "image_size"),
        ({"image_size": 8.0}, "image_size"),
        ({"test_size": 1.5}, "test_size"),
        ({"test_size": 0}, "test_size"),
        ({"seed": -1}, "seed"),
        ({"batch_size": 0}, "batch_size"),
        ({"classes": [3]}, "classes"),
        ({"classes": ["x", "1"]}, "classes"),
    ],
)
def test_digits_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        data.digits(**kwargs)


def test_bad_types_are_type_errors():
    with pytest.raises(TypeError, match="as_dataset"):
        data.faces(as_dataset="yes")
    with pytest.raises(TypeError, match="classes"):
        data.digits(classes=5)
    with pytest.raises(ValueError, match="patch_size"):
        data.textures(patch_size=4)


def test_per_class_subset_is_balanced_and_seeded():
    split = data.digits()
    x, y = data.per_class_subset(split.x_train, split.y_train, 5, seed=1)
    assert x.shape == (50, 8, 8, 1) and np.bincount(y).tolist() == [5] * 10
    x2, y2 = data.per_class_subset(split.x_train, split.y_train, 5, seed=1)
    np.testing.assert_array_equal(x, x2)
    with pytest.raises(ValueError, match="per_class"):
        data.per_class_subset(split.x_train, split.y_train, 10_000)


def _without_downloads(monkeypatch):
    import skimage.data._fetchers as fetchers

    # With no pooch fetcher, scikit-image can only read files inside the wheel.
    monkeypatch.setattr(fetchers, "_image_fetcher", None)


@pytest.mark.parametrize("name", data.SAMPLE_IMAGES)
def test_sample_images_load_offline(name, monkeypatch):
    _without_downloads(monkeypatch)
    from cnnlab.data import images

    image = images._load.__wrapped__(name)
    assert image.dtype == np.float32 and 0.0 <= image.min() and image.max() <= 1.0
    assert image.ndim in (2, 3)
    copy = data.sample_image(name)
    copy[...] = 0
    assert data.sample_image(name).max() > 0


def test_embedded_photos_need_no_download(monkeypatch):
    _without_downloads(monkeypatch)
    import importlib

    faces = importlib.import_module("cnnlab.data.faces")
    textures = importlib.import_module("cnnlab.data.textures")
    assert len(faces._raw_faces.__wrapped__()[0]) == 200
    assert len(textures._raw_photos.__wrapped__()) == 4


def test_sample_image_grayscale_and_errors():
    from skimage.color import rgb2gray

    astronaut = data.sample_image("astronaut")
    assert astronaut.shape == (512, 512, 3)
    np.testing.assert_allclose(data.sample_image("astronaut", grayscale=True), rgb2gray(astronaut), atol=1e-6)
    assert data.sample_image("china").shape == (427, 640, 3)
    with pytest.raises(ValueError, match="name must be one of"):
        data.sample_image("lena")


def test_load_dispatches_to_embedded_sets():
    np.testing.assert_array_equal(data.load("digits", seed=5).y_test, data.digits(seed=5).y_test)
    np.testing.assert_array_equal(data.load("shapes", count=2, image_size=16).images,
                                  data.shapes(count=2, image_size=16).images)
    with pytest.raises(ValueError, match="tfds:NAME"):
        data.load("mnist")
    with pytest.raises(TypeError, match="name"):
        data.load(3)


def test_load_tfds_runs_the_real_pipeline_on_mock_data(tmp_path):
    import tensorflow_datasets as tfds

    with tfds.testing.mock_data(num_examples=12):
        train, test, names = data.load("tfds:tf_flowers", data_dir=str(tmp_path), image_size=24, batch_size=4)
        x, y = next(iter(train))
        assert names == ("dandelion", "daisy", "tulips", "sunflowers", "roses")
        assert x.shape == (4, 24, 24, 3) and x.dtype.name == "float32"
        assert 0.0 <= float(np.min(x)) and float(np.max(x)) <= 1.0
        assert y.dtype.name == "int64" and np.all((0 <= np.asarray(y)) & (np.asarray(y) < 5))
        (single, names_again) = data.load("tfds:tf_flowers", split="train", data_dir=str(tmp_path), batch_size=None)
        assert names_again == names and next(iter(single))[0].shape.rank == 3


def test_load_tfds_offline_without_cache_says_what_to_do(tmp_path):
    with pytest.raises(data.DatasetNotAvailableError) as info:
        data.load("tfds:tf_flowers", data_dir=str(tmp_path), download=False)
    message = str(info.value)
    assert str(tmp_path) in message and "tfds build tf_flowers" in message and "download=False" in message


def test_load_tfds_failed_download_says_what_to_do(tmp_path, monkeypatch):
    import tensorflow_datasets as tfds

    def no_network(self, *args, **kwargs):
        raise ConnectionError("Failed to resolve 'download.tensorflow.org'")

    monkeypatch.setattr(tfds.core.DatasetBuilder, "download_and_prepare", no_network)
    with pytest.raises(data.DatasetNotAvailableError, match="downloading it failed") as info:
        data.load("tfds:tf_flowers", data_dir=str(tmp_path))
    assert f"--data_dir={tmp_path}" in str(info.value)
    assert isinstance(info.value.__cause__, ConnectionError)


def test_load_tfds_rejects_bad_arguments():
    with pytest.raises(ValueError, match="split"):
        data.load("tfds:tf_flowers", split=[])
    with pytest.raises(TypeError, match="download"):
        data.load("tfds:tf_flowers", download="no")
