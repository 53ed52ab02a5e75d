"""Inception v3 against keras.applications.InceptionV3, weight for weight."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from cnnlab.models import inception_v3  # noqa: E402
from cnnlab.models._applications import copy_weights  # noqa: E402


@pytest.fixture(scope="module")
def pair():
    return inception_v3(), keras.applications.InceptionV3(weights=None)


def test_count_equals_keras_and_published(pair):
    ours, theirs = pair
    assert ours.count_params() == theirs.count_params() == 23_851_784
    trainable = sum(int(np.prod(w.shape)) for w in ours.trainable_weights)
    assert trainable == sum(int(np.prod(w.shape)) for w in theirs.trainable_weights)


def test_block_outputs_match_keras_mixed_layers(pair):
    ours, theirs = pair
    for index in range(11):
        name = f"mixed{index}"
        assert ours.get_layer(name).output.shape == theirs.get_layer(name).output.shape, name


@pytest.mark.slow
def test_computes_what_keras_computes_with_the_same_weights(pair):
    ours, theirs = pair
    rng = np.random.default_rng(0)
    # Random BN statistics, so that a mis-paired layer cannot hide behind mean 0 / variance 1.
    for weight in theirs.weights:
        if "moving_variance" in weight.path:
            weight.assign(rng.uniform(0.5, 2.0, weight.shape).astype("float32"))
        elif "moving_mean" in weight.path or "beta" in weight.path:
            weight.assign(rng.normal(scale=0.1, size=weight.shape).astype("float32"))
    copy_weights(theirs, ours)
    x = rng.uniform(-1, 1, (1, 299, 299, 3)).astype("float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(ours(x, training=False)), keras.ops.convert_to_numpy(theirs(x, training=False)), rtol=1e-3, atol=1e-6)


def test_copy_weights_rejects_a_different_architecture():
    small = inception_v3(small=True, num_classes=10)
    other = inception_v3(small=True, num_classes=7)
    with pytest.raises(ValueError, match="cannot copy weights"):
        copy_weights(other, small)


def test_include_top_false_matches_keras():
    ours = inception_v3(include_top=False, input_shape=(75, 75, 3), pooling="avg")
    theirs = keras.applications.InceptionV3(weights=None, include_top=False, input_shape=(75, 75, 3), pooling="avg")
    assert ours.output_shape == theirs.output_shape == (None, 2048)
    assert ours.count_params() == theirs.count_params()


def test_small_variant_shapes_and_save_load(tmp_path):
    model = inception_v3(small=True, num_classes=10)
    assert model.output_shape == (None, 10)
    assert model.get_layer("mixed4").output.shape[1:3] == (3, 3)
    path = tmp_path / "small.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    x = np.random.default_rng(0).uniform(size=(2, 32, 32, 1)).astype("float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


@pytest.mark.slow
@pytest.mark.long_training
def test_small_variant_learns_digits():
    from cnnlab.data import digits

    data = digits(image_size=32)
    keras.utils.set_random_seed(0)
    model = inception_v3(small=True, num_classes=10)
    model.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(data.x_train, data.y_train, epochs=3, batch_size=64, verbose=0)
    _, accuracy = model.evaluate(data.x_test, data.y_test, verbose=0)
    assert accuracy > 0.8


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"small": True, "weights": "imagenet"}, "imagenet"),
        ({"small": 1}, "small"),
        ({"input_shape": (299, 299, 0)}, "input_shape"),
        ({"classifier_activation": 3}, "classifier_activation"),
    ],
)
def test_bad_arguments_raise(kwargs, name):
    with pytest.raises((ValueError, TypeError), match=name):
        inception_v3(**kwargs)


def test_imagenet_weights_are_delegated_to_keras_applications(monkeypatch):
    calls, sources = [], []

    def fake_inception(weights, include_top, input_shape):
        calls.append((weights, include_top, input_shape))
        sources.append(
            keras.applications.inception_v3.InceptionV3(
                weights=None, include_top=include_top, input_shape=input_shape, pooling="avg"
            )
        )
        return sources[-1]

    monkeypatch.setattr(keras.applications, "InceptionV3", fake_inception)
    model = inception_v3(include_top=False, input_shape=(75, 75, 3), pooling="avg", weights="imagenet")
    assert calls == [("imagenet", False, (75, 75, 3))]
    with pytest.raises(ValueError, match="imagenet"):
        inception_v3(num_classes=10, weights="imagenet")
    assert model.output_shape == (None, 2048)
    x = np.random.default_rng(0).uniform(-1, 1, (1, 75, 75, 3)).astype("float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model(x, training=False)), keras.ops.convert_to_numpy(sources[0](x, training=False)), rtol=1e-4, atol=1e-6)
