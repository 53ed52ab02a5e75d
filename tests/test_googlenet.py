"""GoogLeNet against the paper's table 1, and its auxiliary-classifier training model."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from cnnlab.models import AUX_LOSS_WEIGHTS, googlenet, googlenet_inference  # noqa: E402

# Szegedy et al. 2015, table 1: #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj; output channels.
TABLE = {
    "3a": ((64, 96, 128, 16, 32, 32), 256),
    "3b": ((128, 128, 192, 32, 96, 64), 480),
    "4a": ((192, 96, 208, 16, 48, 64), 512),
    "4b": ((160, 112, 224, 24, 64, 64), 512),
    "4c": ((128, 128, 256, 24, 64, 64), 512),
    "4d": ((112, 144, 288, 32, 64, 64), 528),
    "4e": ((256, 160, 320, 32, 128, 128), 832),
    "5a": ((256, 160, 320, 32, 128, 128), 832),
    "5b": ((384, 192, 384, 48, 128, 128), 1024),
}
SIZES = {"3": 28, "4": 14, "5": 7}


def table_params(num_classes=1000):
    """Sum of the table with biases, k*k*c_in*c_out + c_out per convolution."""
    weights = [
        (7, 3, 64),  # conv1 7x7/2
        (1, 64, 64),  # conv2 3x3 reduce
        (3, 64, 192),  # conv2 3x3
    ]
    channels = 192
    for (f1, r3, f3, r5, f5, proj), out in TABLE.values():
        weights += [(1, channels, f1), (1, channels, r3), (3, r3, f3), (1, channels, r5), (5, r5, f5), (1, channels, proj)]
        channels = out
    convs = np.array([k * k * cin * cout + cout for k, cin, cout in weights], dtype=np.int64)
    return int(convs.sum()) + 1024 * num_classes + num_classes


def aux_params(channels, num_classes=1000):
    return (channels * 128 + 128) + (4 * 4 * 128 * 1024 + 1024) + (1024 * num_classes + num_classes)


@pytest.fixture(scope="module")
def training_model():
    return googlenet(aux_classifiers=True)


def test_count_without_auxiliary_heads_is_the_table_sum():
    model = googlenet(aux_classifiers=False)
    assert model.count_params() == table_params() == 6_998_552
    assert abs(model.count_params() - 7.0e6) < 0.05e6  # the paper's "about 7M"


def test_module_outputs_match_table(training_model):
    for module, (_, channels) in TABLE.items():
        shape = training_model.get_layer(f"inception_{module}").output.shape
        size = SIZES[module[0]]
        assert shape == (None, size, size, channels), module


def test_auxiliary_heads_add_their_own_parameters(training_model):
    expected = table_params() + aux_params(512) + aux_params(528)
    assert training_model.count_params() == expected == 13_378_280
    assert training_model.get_layer("aux1_pool").output.shape == (None, 4, 4, 512)
    assert training_model.get_layer("aux2_pool").output.shape == (None, 4, 4, 528)


def test_training_model_has_three_named_outputs(training_model):
    assert sorted(training_model.output_names) == ["aux1", "aux2", "predictions"]
    assert AUX_LOSS_WEIGHTS == {"predictions": 1.0, "aux1": 0.3, "aux2": 0.3}


def test_inference_model_drops_heads_and_shares_variables(training_model):
    inference = googlenet_inference(training_model)
    assert inference.output_shape == (None, 1000)
    assert inference.count_params() == table_params()
    training_ids = {id(v) for v in training_model.weights}
    assert all(id(v) in training_ids for v in inference.weights)


@pytest.mark.slow
def test_training_step_with_loss_weights_updates_the_shared_inference_model():
    from cnnlab.data import digits

    data = digits(image_size=32)
    keras.utils.set_random_seed(0)
    model = googlenet(small=True, num_classes=10)
    inference = googlenet_inference(model)
    loss = "sparse_categorical_crossentropy"
    model.compile(keras.optimizers.Adam(1e-3), loss={k: loss for k in AUX_LOSS_WEIGHTS}, loss_weights=AUX_LOSS_WEIGHTS)
    before = [w.copy() for w in inference.get_weights()]
    x, y = data.x_train[:64], data.y_train[:64]
    logs = model.train_on_batch(x, {"predictions": y, "aux1": y, "aux2": y}, return_dict=True)
    # Keras reports the weighted total: main + 0.3 * aux1 + 0.3 * aux2.
    weighted = logs["predictions_loss"] + 0.3 * logs["aux1_loss"] + 0.3 * logs["aux2_loss"]
    assert np.isclose(logs["loss"], weighted, rtol=1e-4)
    after = inference.get_weights()
    assert any(not np.array_equal(a, b) for a, b in zip(before, after))
    np.testing.assert_allclose(inference.predict(x, verbose=0), model.predict(x, verbose=0)["predictions"], rtol=1e-5)


@pytest.mark.slow
@pytest.mark.long_training
def test_small_variant_learns_digits():
    from cnnlab.data import digits

    data = digits(image_size=32)
    keras.utils.set_random_seed(0)
    model = googlenet(small=True, num_classes=10)
    loss = "sparse_categorical_crossentropy"
    model.compile(keras.optimizers.Adam(1e-3), loss={k: loss for k in AUX_LOSS_WEIGHTS}, loss_weights=AUX_LOSS_WEIGHTS)
    y = {k: data.y_train for k in AUX_LOSS_WEIGHTS}
    # Three epochs leave the loss still falling steeply (0.34 accuracy); five reach ~0.94.
    model.fit(data.x_train, y, epochs=5, batch_size=64, verbose=0)
    predictions = googlenet_inference(model).predict(data.x_test, verbose=0)
    assert (predictions.argmax(-1) == data.y_test).mean() > 0.5


def test_include_top_false_has_no_heads():
    model = googlenet(include_top=False, pooling="avg")
    assert model.output_shape == (None, 1024)


@pytest.mark.parametrize(
    "make, error, name",
    [
        (lambda: googlenet(aux_classifiers="yes"), TypeError, "aux_classifiers"),
        (lambda: googlenet(weights="imagenet"), ValueError, "imagenet"),
        (lambda: googlenet_inference("model"), TypeError, "model"),
    ],
)
def test_bad_arguments_raise(make, error, name):
    with pytest.raises(error, match=name):
        make()
