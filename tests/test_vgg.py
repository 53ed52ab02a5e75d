"""VGG builders against keras.applications and the paper's configuration table."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from cnnlab.models import vgg  # noqa: E402
from cnnlab.models._applications import copy_weights  # noqa: E402

# Simonyan & Zisserman table 1: convolutions per block (3x3, widths 64..512) + FC 4096, 4096, 1000.
CONFIGS = {11: [1, 1, 2, 2, 2], 13: [2, 2, 2, 2, 2], 16: [2, 2, 3, 3, 3], 19: [2, 2, 4, 4, 4]}


def table_params(depth, widths=(64, 128, 256, 512, 512), fc=(4096, 4096, 1000), spatial=7, bn=False):
    total, channels = 0, 3
    for convs, width in zip(CONFIGS[depth], widths):
        for _ in range(convs):
            total += 3 * 3 * channels * width + width + (4 * width if bn else 0)
            channels = width
    features = spatial * spatial * channels
    for units in fc:
        total += features * units + units
        features = units
    return total


@pytest.fixture(scope="module")
def vgg16_pair():
    return vgg(16), keras.applications.VGG16(weights=None)


def test_vgg16_count_is_published_and_equals_keras(vgg16_pair):
    ours, theirs = vgg16_pair
    assert ours.count_params() == theirs.count_params() == table_params(16) == 138_357_544


def test_vgg16_has_keras_layer_names_and_shapes(vgg16_pair):
    ours, theirs = vgg16_pair
    ours_weighted = [(l.name, l.output.shape) for l in ours.layers if l.weights]
    theirs_weighted = [(l.name, l.output.shape) for l in theirs.layers if l.weights]
    assert ours_weighted == theirs_weighted


@pytest.mark.slow
def test_vgg16_computes_what_keras_computes_with_the_same_weights(vgg16_pair):
    ours, theirs = vgg16_pair
    copy_weights(theirs, ours)
    x = np.random.default_rng(0).uniform(0, 255, (1, 224, 224, 3)).astype("float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(ours(x, training=False)), keras.ops.convert_to_numpy(theirs(x, training=False)), rtol=1e-4, atol=1e-7)


@pytest.mark.slow
def test_vgg19_count_is_published_and_equals_keras():
    ours = vgg(19).count_params()
    theirs = keras.applications.VGG19(weights=None).count_params()
    assert ours == theirs == table_params(19) == 143_667_240


@pytest.mark.parametrize("depth", [11, 13])
def test_shallower_configurations_match_the_table(depth):
    assert vgg(depth).count_params() == table_params(depth)


def test_batch_norm_variant_adds_four_values_per_conv_channel():
    model = vgg(11, batch_norm=True, small=True)
    assert model.count_params() == table_params(
        11, widths=(16, 32, 64, 128, 128), fc=(256, 256, 1000), spatial=1, bn=True
    ) - 3 * 3 * 2 * 16  # the small variant reads 1 input channel, not 3


def test_include_top_false_and_pooling_match_keras():
    ours = vgg(16, include_top=False, input_shape=(64, 64, 3), pooling="avg")
    theirs = keras.applications.VGG16(weights=None, include_top=False, input_shape=(64, 64, 3), pooling="avg")
    assert ours.output_shape == theirs.output_shape == (None, 512)
    assert ours.count_params() == theirs.count_params() == 14_714_688


def test_small_variant_shapes():
    model = vgg(16, small=True, num_classes=10)
    assert model.input_shape == (None, 32, 32, 1)
    assert model.get_layer("block5_pool").output.shape == (None, 1, 1, 128)
    assert model.output_shape == (None, 10)


def test_weights_file_round_trip(tmp_path):
    model = vgg(11, small=True, num_classes=10)
    path = tmp_path / "vgg11.weights.h5"
    model.save_weights(path)
    loaded = vgg(11, small=True, num_classes=10, weights=path)
    x = np.random.default_rng(0).uniform(size=(2, 32, 32, 1)).astype("float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


@pytest.mark.slow
@pytest.mark.long_training
def test_small_variant_learns_digits():
    from cnnlab.data import digits

    data = digits(image_size=32)
    keras.utils.set_random_seed(0)
    model = vgg(11, small=True, num_classes=10)
    model.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(data.x_train, data.y_train, epochs=6, batch_size=64, verbose=0)
    _, accuracy = model.evaluate(data.x_test, data.y_test, verbose=0)
    assert accuracy > 0.8


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"depth": 15}, "depth"),
        ({"batch_norm": 1}, "batch_norm"),
        ({"num_classes": 0}, "num_classes"),
        ({"pooling": "sum", "include_top": False}, "pooling"),
        ({"input_shape": (32, 32)}, "input_shape"),
        ({"weights": "vgg.h5"}, "weights"),
        ({"weights": "missing.weights.h5", "small": True}, "does not exist"),
        ({"weights": "imagenet", "batch_norm": True, "small": True}, "imagenet"),
        ({"dropout": 1.0, "small": True}, "dropout"),
    ],
)
def test_bad_arguments_raise(kwargs, name):
    with pytest.raises((ValueError, TypeError), match=name):
        vgg(**kwargs)


def test_imagenet_weights_are_delegated_to_keras_applications(monkeypatch):
    # No download in tests: stand in for Keras' loader with a seeded random model and
    # check that every weight arrives in the cnnlab model.
    calls = []

    def fake_vgg16(weights, include_top, input_shape):
        calls.append((weights, include_top, input_shape))
        keras.utils.set_random_seed(1)
        return keras.applications.vgg16.VGG16(weights=None, include_top=include_top, input_shape=input_shape)

    monkeypatch.setattr(keras.applications, "VGG16", fake_vgg16)
    model = vgg(16, include_top=False, input_shape=(64, 64, 3), weights="imagenet")
    assert calls == [("imagenet", False, (64, 64, 3))]
    keras.utils.set_random_seed(1)
    reference = keras.applications.vgg16.VGG16(weights=None, include_top=False, input_shape=(64, 64, 3))
    for ours, theirs in zip(model.weights, reference.weights):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(ours), keras.ops.convert_to_numpy(theirs))
