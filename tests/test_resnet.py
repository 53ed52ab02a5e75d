import keras
import numpy as np
import pytest

from cnnlab.models import plain_net, plain_net_cifar, resnet, resnet_cifar
from cnnlab.models import trainable_params

# torchvision's resnet18 ... resnet152, sum(p.numel() for p in model.parameters()).
TORCHVISION = {18: 11_689_512, 34: 21_797_672, 50: 25_557_032, 101: 44_549_160,
               152: 60_192_808}


def without_conv_biases(model):
    """keras.applications' ResNets give every convolution a bias; torchvision's have none."""
    biases = sum(int(layer.bias.shape[0]) for layer in model.layers
                 if isinstance(layer, keras.layers.Conv2D) and layer.use_bias)
    return trainable_params(model) - biases


@pytest.mark.slow
@pytest.mark.parametrize("depth", sorted(TORCHVISION))
def test_trainable_parameters_equal_torchvision(depth):
    assert trainable_params(resnet(depth)) == TORCHVISION[depth]


@pytest.mark.slow
def test_resnet50_equals_keras_applications_without_conv_biases():
    reference = keras.applications.ResNet50(weights=None)
    assert trainable_params(resnet(50)) == without_conv_biases(reference) == 25_557_032


@pytest.mark.slow
def test_preactivation_equals_keras_resnet50v2_without_conv_biases():
    reference = keras.applications.ResNet50V2(weights=None)
    assert trainable_params(resnet(50, preactivation=True)) == without_conv_biases(reference)


def test_plain_net_is_resnet_minus_its_projection_shortcuts():
    # Three stage transitions each need a 1x1 projection and its BN in ResNet-34.
    projections = sum(c_in * c_out + 2 * c_out for c_in, c_out in [(64, 128), (128, 256),
                                                                   (256, 512)])
    assert trainable_params(plain_net(34)) == TORCHVISION[34] - projections


def test_plain_net_blocks_have_no_shortcut():
    model = plain_net_cifar(8, input_shape=(8, 8, 1))
    blocks = [layer for layer in model.layers if layer.__class__.__name__ == "ResidualBlock"]
    assert len(blocks) == 3
    assert all(block.shortcut == "none" and block.projection is None for block in blocks)


@pytest.mark.parametrize("depth, n", [(20, 3), (32, 5), (56, 9)])
def test_cifar_resnets_have_6n_plus_2_layers(depth, n):
    model = resnet_cifar(depth)
    blocks = [layer for layer in model.layers if layer.__class__.__name__ == "ResidualBlock"]
    assert len(blocks) == 3 * n
    weighted = 1 + sum(len(block.convs) for block in blocks) + 1
    assert weighted == depth
    assert model.output_shape == (None, 10)


def test_cifar_resnet20_has_the_papers_0_27m_parameters():
    # He et al. 2015, table 6: 0.27M with option A (parameter-free) shortcuts, i.e.
    # conv1 432 + 32, stages 14,016 + 51,072 + 203,520, classifier 650 = 269,722.
    # Option B projections add 16*32 + 32*64 weights and their BN.
    projections = 16 * 32 + 2 * 32 + 32 * 64 + 2 * 64
    assert trainable_params(resnet_cifar(20)) - projections == 269_722


def test_any_input_size_with_global_average_pooling():
    model = resnet(18, input_shape=(None, None, 3), num_classes=5)
    for size in (64, 97):
        out = model.predict(np.zeros((1, size, size, 3), "float32"), verbose=0)
        assert out.shape == (1, 5)
        np.testing.assert_allclose(out.sum(), 1.0, rtol=1e-5)


def test_feature_extractor_without_top():
    assert resnet(50, include_top=False, input_shape=(64, 64, 3)).output_shape == (None, 2048)


@pytest.mark.slow
def test_small_cifar_models_train_and_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.uniform(size=(32, 8, 8, 1)).astype("float32")
    y = rng.integers(0, 3, size=32)
    model = resnet_cifar(8, width=4, input_shape=(8, 8, 1), num_classes=3, se_ratio=2)
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    model.save(tmp_path / "model.keras")
    loaded = keras.models.load_model(tmp_path / "model.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("call, error, word", [
    (lambda: resnet(20), ValueError, "depth"),
    (lambda: resnet(50, preactivation="yes"), TypeError, "preactivation"),
    (lambda: resnet(18, input_shape=(224, 224)), TypeError, "input_shape"),
    (lambda: resnet(18, num_classes=0), ValueError, "num_classes"),
    (lambda: plain_net(19), ValueError, "depth"),
    (lambda: resnet_cifar(21), ValueError, "6n"),
    (lambda: resnet_cifar(20.0), TypeError, "depth"),
    (lambda: resnet_cifar(20, width=0), ValueError, "width"),
    (lambda: resnet_cifar(20, shortcuts="no"), TypeError, "shortcuts"),
    (lambda: plain_net_cifar(20, shortcuts=True), TypeError, "shortcuts"),
])
def test_rejects_bad_arguments(call, error, word):
    with pytest.raises(error, match=word):
        call()
