"""cnnlab.transfer: freezing, heads, layer-wise learning rates, backbones."""

import os
import urllib.error

import keras
import numpy as np
import pytest

from cnnlab import backend, data, pretrained, transfer


def _small_model(seed=0):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((8, 8, 1))
    # No bias before BatchNormalization: its gradient is zero up to rounding
    # noise, which Adam would amplify into full-size steps.
    x = keras.layers.Conv2D(4, 3, use_bias=False, name="conv_a")(inputs)
    x = keras.layers.BatchNormalization(name="bn_a")(x)
    x = keras.layers.ReLU(name="relu_a")(x)
    x = keras.layers.Conv2D(6, 3, name="conv_b")(x)
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    outputs = keras.layers.Dense(3, activation="softmax", name="dense")(x)
    return keras.Model(inputs, outputs)


def _batch(n=32, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, 8, 8, 1), dtype=np.float32), rng.integers(0, 3, n)


def _trainable(model):
    return [layer.name for layer in model.layers if layer.trainable and layer.weights]


# ------------------------------------------------------------------ freeze


@pytest.mark.parametrize("up_to", ["bn_a", 3, 0.5])
def test_freeze_by_name_index_and_fraction(up_to):
    model = _small_model()
    # model.layers: input, conv_a, bn_a, relu_a, conv_b, pool, dense -> 7 layers;
    # bn_a (inclusive), [:3] and int(0.5 * 7) = 3 all freeze conv_a and bn_a.
    transfer.freeze(model, up_to=up_to)
    assert _trainable(model) == ["conv_b", "dense"]


def test_freeze_all_and_unfreeze_keeps_batchnorm_frozen():
    model = transfer.freeze(_small_model())
    assert _trainable(model) == []
    transfer.unfreeze(model, from_="conv_b")
    assert _trainable(model) == ["conv_b", "dense"]
    transfer.unfreeze(model)
    assert _trainable(model) == ["conv_a", "conv_b", "dense"]
    transfer.unfreeze(model, batchnorm=True)
    assert _trainable(model) == ["conv_a", "bn_a", "conv_b", "dense"]


def test_unfreeze_reaches_into_a_nested_backbone():
    base = transfer.backbone("cnnlab-mini", weights=None)
    model = transfer.replace_head(transfer.freeze(base), 3)
    outer = keras.Model(model.input, model.outputs)
    transfer.unfreeze(outer)
    assert base.get_layer("block2_conv").trainable and not base.get_layer("block2_bn").trainable


@pytest.mark.parametrize(
    "bad, error",
    [("nope", ValueError), (99, ValueError), (1.5, ValueError), (True, TypeError), ([1], TypeError)],
)
def test_freeze_rejects_bad_positions(bad, error):
    with pytest.raises(error, match="up_to"):
        transfer.freeze(_small_model(), up_to=bad)


def test_frozen_batchnorm_keeps_its_statistics_during_fit():
    x, y = _batch()
    model = _small_model()
    bn = model.get_layer("bn_a")
    bn.moving_mean.assign(np.full(4, 0.3, np.float32))
    bn.moving_variance.assign(np.full(4, 2.0, np.float32))
    before = [keras.ops.convert_to_numpy(w).copy() for w in bn.weights]
    transfer.freeze(model, up_to="bn_a")
    model.compile(keras.optimizers.SGD(0.5), "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    for old, new in zip(before, bn.weights):
        np.testing.assert_array_equal(old, keras.ops.convert_to_numpy(new))
    # And in training mode it normalises with the moving statistics (inference mode).
    conv = keras.ops.convert_to_numpy(keras.Model(model.input, model.get_layer("conv_a").output)(x))
    expected = (conv - 0.3) / np.sqrt(2.0 + bn.epsilon) * before[0] + before[1]
    normalised = keras.ops.convert_to_numpy(keras.Model(model.input, bn.output)(x, training=True))
    np.testing.assert_allclose(normalised, expected, rtol=1e-5, atol=1e-5)


def test_trainable_batchnorm_does_update_its_statistics():
    x, y = _batch()
    model = _small_model()
    bn = model.get_layer("bn_a")
    before = keras.ops.convert_to_numpy(bn.moving_mean).copy()
    model.compile(keras.optimizers.SGD(0.5), "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert not np.array_equal(before, keras.ops.convert_to_numpy(bn.moving_mean))


# ------------------------------------------------------------ replace_head


def test_replace_head_on_a_classifier_matches_numpy():
    model = _small_model()
    new = transfer.replace_head(model, 5, seed=1)
    assert new.output.shape == (None, 5)
    assert new.get_layer("conv_b") is model.get_layer("conv_b")
    assert "dense" not in [layer.name for layer in new.layers]
    x, _ = _batch(4)
    features = keras.ops.convert_to_numpy(keras.Model(model.input, model.get_layer("pool").output)(x))
    kernel, bias = new.get_layer("new_head").get_weights()
    logits = features @ kernel + bias
    expected = np.exp(logits - logits.max(1, keepdims=True))
    expected /= expected.sum(1, keepdims=True)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(new(x)), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(bias, 0.0)


def test_replace_head_pools_a_feature_map_and_cuts_where_asked():
    model = _small_model()
    new = transfer.replace_head(model, 2, cut_at="relu_a", pooling="max", dropout=0.2, activation=None)
    x, _ = _batch(3)
    relu = keras.ops.convert_to_numpy(keras.Model(model.input, model.get_layer("relu_a").output)(x))
    kernel, bias = new.get_layer("new_head").get_weights()
    np.testing.assert_allclose(keras.ops.convert_to_numpy(new(x)), relu.max(axis=(1, 2)) @ kernel + bias,
                               rtol=1e-5, atol=1e-6)


def test_replace_head_rejects_bad_arguments():
    model = _small_model()
    with pytest.raises(ValueError, match="num_classes"):
        transfer.replace_head(model, 1)
    with pytest.raises(ValueError, match="pooling"):
        transfer.replace_head(model, 3, pooling="sum")
    with pytest.raises(ValueError, match="cut_at"):
        transfer.replace_head(model, 3, cut_at="missing")
    with pytest.raises(ValueError, match="dropout"):
        transfer.replace_head(model, 3, dropout=1.0)


# ------------------------------------------------------------- LayerwiseLR


def _fit(optimizer, steps=1, seed=0):
    x, y = _batch(8 * steps)
    model = _small_model(seed)
    start = {v.path: keras.ops.convert_to_numpy(v).copy() for v in model.trainable_weights}
    model.compile(optimizer, "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    return model, {v.path: keras.ops.convert_to_numpy(v) - start[v.path] for v in model.trainable_weights}


@pytest.mark.parametrize("inner", [keras.optimizers.SGD, keras.optimizers.Adam])
def test_multiplier_zero_leaves_weights_bit_identical(inner):
    model, moved = _fit(transfer.LayerwiseLR(inner(0.1), {"conv_a": 0.0}), steps=4)
    np.testing.assert_array_equal(moved["conv_a/kernel"], 0.0)
    assert np.abs(moved["conv_b/kernel"]).max() > 0


def test_multiplier_scales_one_sgd_step_exactly():
    _, full = _fit(transfer.LayerwiseLR(keras.optimizers.SGD(0.1), {"conv_a": 1.0}))
    _, tenth = _fit(transfer.LayerwiseLR(keras.optimizers.SGD(0.1), {"conv_a": 0.1}))
    # Exact up to float32 rounding of the weights themselves (|w| < 1, ulp <= 1.2e-7).
    assert np.abs(full["conv_a/kernel"]).max() > 1e-4
    np.testing.assert_allclose(tenth["conv_a/kernel"], 0.1 * full["conv_a/kernel"], rtol=1e-5, atol=2.5e-7)
    np.testing.assert_array_equal(tenth["dense/kernel"], full["dense/kernel"])


def test_multiplier_tenth_moves_an_order_of_magnitude_less_over_training():
    _, full = _fit(transfer.LayerwiseLR(keras.optimizers.SGD(0.1), {"conv_a": 1.0}), steps=8)
    _, tenth = _fit(transfer.LayerwiseLR(keras.optimizers.SGD(0.1), {"conv_a": 0.1}), steps=8)
    ratio = np.linalg.norm(tenth["conv_a/kernel"]) / np.linalg.norm(full["conv_a/kernel"])
    assert 0.07 < ratio < 0.14


def test_multiplier_scales_adam_steps_like_separate_learning_rates():
    """Oracle: a hand-written loop with one Adam per layer group (PyTorch parameter groups)."""
    steps = 4
    model, _ = _fit(transfer.LayerwiseLR(keras.optimizers.Adam(0.01), {"conv_a": 0.1, "dense": 0.0}), steps)
    x, y = _batch(8 * steps)
    reference = _small_model(0)
    groups = {
        "slow": ([v for v in reference.trainable_weights if v.path.startswith("conv_a/")], keras.optimizers.Adam(0.001)),
        "fast": ([v for v in reference.trainable_weights if v.path.split("/")[0] in ("bn_a", "conv_b")],
                 keras.optimizers.Adam(0.01)),
    }
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    for step in range(steps):
        xb, yb = x[8 * step : 8 * step + 8], y[8 * step : 8 * step + 8]
        variables = [v for group, _ in groups.values() for v in group]
        grads = backend.gradients(lambda: loss_fn(yb, reference(xb, training=True)), variables=variables)
        grads = dict(zip([id(v) for v in variables], grads))
        for group, optimizer in groups.values():
            optimizer.apply([keras.ops.convert_to_tensor(grads[id(v)]) for v in group], group)
    for trained, expected in zip(model.weights, reference.weights):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(trained), keras.ops.convert_to_numpy(expected),
                                   rtol=1e-4, atol=1e-6, err_msg=trained.path)


def test_layerwise_lr_survives_a_keras_save_and_load(tmp_path):
    x, y = _batch()
    model = _small_model()
    model.compile(transfer.LayerwiseLR(keras.optimizers.Adam(1e-3), {"conv_a": 0.0, "dense": 0.5}),
                  "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert isinstance(loaded.optimizer, transfer.LayerwiseLR)
    assert loaded.optimizer.multipliers == {"conv_a": 0.0, "dense": 0.5}
    assert float(loaded.optimizer.learning_rate) == pytest.approx(1e-3)
    before = loaded.get_layer("conv_a").get_weights()
    loaded.fit(x, y, epochs=1, verbose=0)
    for old, new in zip(before, loaded.get_layer("conv_a").get_weights()):
        np.testing.assert_array_equal(old, new)


def test_layerwise_lr_rejects_bad_arguments():
    with pytest.raises(ValueError, match="multiplier for 'conv_a'"):
        transfer.LayerwiseLR(keras.optimizers.SGD(), {"conv_a": -1.0})
    with pytest.raises(TypeError, match="inner_optimizer"):
        transfer.LayerwiseLR("sgd", {})
    with pytest.raises(ValueError, match="own no trainable variable"):
        _fit(transfer.LayerwiseLR(keras.optimizers.SGD(), {"conv_typo": 0.0}))


# ---------------------------------------------------------------- backbone


def test_shipped_cnnlab_mini_reaches_its_stated_accuracy():
    card = transfer.mini_card()
    assert transfer.MINI_WEIGHTS.stat().st_size < 500_000
    model = transfer.backbone("cnnlab-mini", include_top=True)
    assert pretrained.weights_digest(model) == card["weights"]["sha256"]
    split = data.digits(**card["split"], classes=card["source_classes"])
    accuracy = float(np.mean(model.predict(split.x_test, verbose=0).argmax(axis=1) == split.y_test))
    assert accuracy == pytest.approx(card["test_accuracy"], abs=1e-4)
    assert accuracy >= 0.97


def test_cnnlab_mini_features_and_random_init():
    features = transfer.backbone("cnnlab-mini")
    assert features.output.shape == (None, 64)
    random = transfer.backbone("cnnlab-mini", weights=None)
    x = data.digits(image_size=32).x_test[:4]
    assert not np.allclose(keras.ops.convert_to_numpy(features(x)), keras.ops.convert_to_numpy(random(x)))
    assert transfer.backbone("cnnlab-mini", input_shape=(48, 48, 1)).output.shape == (None, 64)


def test_backbone_rejects_bad_names_and_weights():
    with pytest.raises(ValueError, match="name must be one of"):
        transfer.backbone("alexnet")
    with pytest.raises(ValueError, match="weights"):
        transfer.backbone("cnnlab-mini", weights="imagenet")


def test_imagenet_weights_offline_name_the_file_to_place(tmp_path, monkeypatch):
    from keras.src.backend import config
    from keras.src.utils import file_utils

    def no_network(url, *args, **kwargs):
        raise urllib.error.URLError("network is unreachable")

    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(config, "_KERAS_DIR", str(tmp_path))
    monkeypatch.setattr(file_utils, "urlretrieve", no_network)
    with pytest.raises(transfer.WeightsNotAvailableError) as info:
        transfer.backbone("mobilenet_v2", weights="imagenet", input_shape=(96, 96, 3))
    # Keras names MobileNetV2 weights by width (alpha) and resolution; see
    # keras/src/applications/mobilenet_v2.py.
    fname = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_96_no_top.h5"
    message = str(info.value)
    assert os.path.join(str(tmp_path), "models", fname) in message
    assert "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/" + fname in message
    assert file_utils.get_file.__module__ == "keras.src.utils.file_utils"


def test_applications_without_weights_build_offline():
    model = transfer.backbone("mobilenet_v2", weights=None, input_shape=(32, 32, 3))
    assert model.output.shape == (None, 1, 1, 1280)
    head = transfer.replace_head(model, 4)
    assert head.output.shape == (None, 4)
