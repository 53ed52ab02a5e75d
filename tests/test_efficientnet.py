import keras
import numpy as np
import pytest

import cnnlab.shapes
from cnnlab.models import efficientnet, scaled_efficientnet
from cnnlab.models.efficientnet import compound_coefficients, round_filters, round_repeats

# keras.applications.EfficientNetB0..B7, count_params() (weights and statistics).
KERAS_TOTALS = {0: 5_330_571, 1: 7_856_239, 2: 9_177_569, 3: 12_320_535, 4: 19_466_823,
                5: 30_562_527, 6: 43_265_143, 7: 66_658_687}


@pytest.mark.parametrize("phi", [0, 3])
def test_equals_keras_applications(phi):
    reference = getattr(keras.applications, f"EfficientNetB{phi}")(weights=None)
    model = efficientnet(phi)
    assert model.count_params() == reference.count_params() == KERAS_TOTALS[phi]
    assert model.input_shape == reference.input_shape


def test_summarize_counts_mbconv_multiply_adds():
    """cnnlab.shapes.summarize sees inside MBConv and SqueezeExcite: same MACs as the flat
    keras.applications graph (0.39 G for B0 in the paper)."""
    reference = cnnlab.shapes.summarize(keras.applications.EfficientNetB0(weights=None)).totals
    ours = cnnlab.shapes.summarize(efficientnet(0)).totals
    assert ours["complete"] and ours["macs"] == reference["macs"]
    assert round(ours["macs"] / 1e9, 2) == 0.39


@pytest.mark.slow
@pytest.mark.parametrize("phi", [1, 2, 4, 5, 6, 7])
def test_totals_equal_keras_applications_published(phi):
    assert efficientnet(phi).count_params() == KERAS_TOTALS[phi]


@pytest.mark.slow
def test_b0_computes_what_keras_applications_computes():
    reference = keras.applications.EfficientNetB0(weights=None, input_shape=(64, 64, 3),
                                                  classifier_activation=None)
    model = efficientnet(0, input_shape=(64, 64, 3), classifier_activation=None)
    rng = np.random.default_rng(0)
    for source, target in zip(reference.weights, model.weights, strict=True):
        values = rng.normal(0.0, 0.05, tuple(source.shape))
        if source.path.endswith(("moving_variance", "gamma", "variance")):
            values += 1.0
        values = values.astype(source.dtype)
        source.assign(values)
        # keras.applications' SE uses 1x1 convolutions, cnnlab's SE plain matrices.
        target.assign(np.reshape(values, tuple(target.shape)))
    x = rng.uniform(0.0, 255.0, size=(2, 64, 64, 3)).astype("float32")
    np.testing.assert_allclose(model.predict(x, verbose=0), reference.predict(x, verbose=0),
                               rtol=1e-4, atol=1e-4)


def test_round_filters_like_the_reference_implementation():
    assert [round_filters(f, 1.0) for f in (32, 16, 24, 40, 80, 112, 192, 320, 1280)] == [
        32, 16, 24, 40, 80, 112, 192, 320, 1280]
    assert [round_filters(f, 1.1) for f in (32, 16, 24, 1280)] == [32, 16, 24, 1408]
    assert [round_filters(f, 2.0) for f in (32, 320, 1280)] == [64, 640, 2560]
    # Never more than 10% below the scaled value: 0.25 * 24 = 6 rounds to 8, not 0.
    assert round_filters(24, 0.25) == 8
    assert round_filters(36, 1.0, divisor=16) == 48


def test_round_repeats_rounds_up():
    assert [round_repeats(r, 3.1) for r in (1, 2, 3, 4)] == [4, 7, 10, 13]
    assert round_repeats(2, 1.1) == 3


def test_compound_coefficients_double_flops_per_step():
    for phi in range(1, 8):
        d, w, r = compound_coefficients(phi)
        assert np.isclose(d, 1.2**phi) and np.isclose(w, 1.1**phi) and np.isclose(r, 1.15**phi)
        # alpha * beta^2 * gamma^2 = 1.92, close to the paper's target of 2.
        assert np.isclose(d * w**2 * r**2, 1.92**phi, rtol=1e-3)


def test_small_variant_for_embedded_data(tmp_path):
    model = scaled_efficientnet(0.25, 0.34, input_shape=(32, 32, 1), num_classes=10,
                                include_preprocessing=False)
    x = np.random.default_rng(0).uniform(size=(2, 32, 32, 1)).astype("float32")
    assert model.predict(x, verbose=0).shape == (2, 10)
    assert model.get_layer("stem_conv").filters == 8
    assert model.get_layer("top_conv").filters == 320
    # ceil(0.34 * repeats) for B0's repeats 1, 2, 2, 3, 3, 4, 1.
    assert sum(layer.__class__.__name__ == "MBConv" for layer in model.layers) == 10
    model.save(tmp_path / "small.keras")
    loaded = keras.models.load_model(tmp_path / "small.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("call, error, word", [
    (lambda: efficientnet(8), ValueError, "phi"),
    (lambda: efficientnet(True), TypeError, "phi"),
    (lambda: scaled_efficientnet(0.0), ValueError, "width_coefficient"),
    (lambda: scaled_efficientnet(1.0, -1), ValueError, "depth_coefficient"),
    (lambda: scaled_efficientnet(dropout_rate=1.0), ValueError, "dropout_rate"),
    (lambda: compound_coefficients(-1), ValueError, "phi"),
])
def test_rejects_bad_arguments(call, error, word):
    with pytest.raises(error, match=word):
        call()
