"""LocalResponseNormalization against a NumPy loop written from the AlexNet paper's formula."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from cnnlab.layers import LocalResponseNormalization  # noqa: E402
from cnnlab.layers.lrn import _ops_lrn  # noqa: E402


def lrn_reference(a, n=5, k=2.0, alpha=1e-4, beta=0.75):
    """Krizhevsky et al. 2012, section 3.3, one channel at a time."""
    channels = a.shape[-1]
    b = np.empty_like(a, dtype=np.float64)
    for i in range(channels):
        lo, hi = max(0, i - n // 2), min(channels - 1, i + n // 2)
        energy = np.sum(a[..., lo : hi + 1].astype(np.float64) ** 2, axis=-1)
        b[..., i] = a[..., i] / (k + alpha * energy) ** beta
    return b


@pytest.mark.parametrize("channels", [1, 3, 5, 8, 96])
def test_matches_paper_formula_with_paper_constants(channels):
    rng = np.random.default_rng(channels)
    # Activations of order 10-100 make the sum term matter against k=2.
    a = rng.normal(scale=30.0, size=(2, 4, 5, channels)).astype("float32")
    got = keras.ops.convert_to_numpy(LocalResponseNormalization()(a))
    np.testing.assert_allclose(got, lrn_reference(a), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("size, k, alpha, beta", [(1, 1.0, 0.5, 1.0), (3, 0.5, 0.01, 0.5), (7, 2.0, 1e-3, 0.75)])
def test_matches_formula_for_other_constants(size, k, alpha, beta):
    rng = np.random.default_rng(size)
    a = rng.normal(size=(3, 6, 6, 10)).astype("float32")
    layer = LocalResponseNormalization(size=size, alpha=alpha, beta=beta, k=k)
    got = keras.ops.convert_to_numpy(layer(a))
    np.testing.assert_allclose(got, lrn_reference(a, n=size, k=k, alpha=alpha, beta=beta), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("size, k, alpha, beta", [(5, 2.0, 1e-4, 0.75), (3, 0.5, 0.01, 0.5)])
def test_backend_independent_path_matches_paper_formula(size, k, alpha, beta):
    a = np.random.default_rng(5).normal(scale=10.0, size=(2, 5, 5, 12)).astype("float32")
    got = keras.ops.convert_to_numpy(_ops_lrn(a, size, alpha, beta, k))
    np.testing.assert_allclose(got, lrn_reference(a, n=size, k=k, alpha=alpha, beta=beta), rtol=1e-5, atol=1e-6)


def test_equals_tensorflow_local_response_normalization():
    tf = pytest.importorskip("tensorflow")
    rng = np.random.default_rng(0)
    a = rng.normal(scale=10.0, size=(2, 7, 7, 16)).astype("float32")
    # TensorFlow's own kernel is the oracle on every backend (cnnlab always installs TensorFlow).
    expected = np.asarray(tf.nn.local_response_normalization(a, depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75))
    got = keras.ops.convert_to_numpy(LocalResponseNormalization()(a))
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_none_batch_and_save_load_round_trip(tmp_path):
    inputs = keras.Input((6, 6, 9))
    model = keras.Model(inputs, LocalResponseNormalization(size=3, alpha=0.1, beta=0.5, k=1.0)(inputs))
    assert model.output_shape == (None, 6, 6, 9)
    x = np.random.default_rng(1).normal(size=(3, 6, 6, 9)).astype("float32")
    path = tmp_path / "lrn.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    assert loaded.layers[-1].get_config()["size"] == 3
    assert loaded.layers[-1].get_config()["alpha"] == 0.1


def test_compute_output_shape_matches_call():
    layer = LocalResponseNormalization()
    assert layer.compute_output_shape((None, 55, 55, 96)) == (None, 55, 55, 96)


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"size": 4}, ValueError),
        ({"size": 0}, ValueError),
        ({"size": 2.0}, TypeError),
        ({"alpha": 0}, ValueError),
        ({"beta": -1}, ValueError),
        ({"k": "2"}, TypeError),
        ({"k": True}, TypeError),
    ],
)
def test_bad_arguments_raise_naming_the_argument(kwargs, error):
    name = next(iter(kwargs))
    with pytest.raises(error, match=name):
        LocalResponseNormalization(**kwargs)


def test_rejects_non_4d_input():
    with pytest.raises(ValueError, match="4-D"):
        LocalResponseNormalization()(np.ones((2, 8), "float32"))
