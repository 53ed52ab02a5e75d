import keras
import numpy as np
import pytest

import cnnlab.shapes
from cnnlab.layers import DenseBlock
from cnnlab.models import densenet, densenet_bc, resnet
from cnnlab.models import trainable_params
from cnnlab.models.densenet import IMAGENET_BLOCKS, densenet_depth

# keras.applications.DenseNet121/169/201, trainable weights.
KERAS_TRAINABLE = {121: 7_978_856, 169: 14_149_480, 201: 20_013_928}


@pytest.fixture(scope="module")
def densenet121():
    return densenet(121, input_shape=(64, 64, 3), classifier_activation=None)


def test_densenet121_equals_keras_applications(densenet121):
    reference = keras.applications.DenseNet121(weights=None)
    assert trainable_params(densenet121) == trainable_params(reference) == 7_978_856
    assert densenet121.count_params() == reference.count_params()


@pytest.mark.slow
def test_densenet121_computes_what_keras_applications_computes(densenet121):
    """Same weights, same outputs: the architecture is layer for layer keras.applications'."""
    reference = keras.applications.DenseNet121(weights=None, input_shape=(64, 64, 3),
                                               classifier_activation=None)
    rng = np.random.default_rng(0)
    for weight in reference.weights:
        values = rng.normal(0.0, 0.05, tuple(weight.shape))
        if weight.path.endswith(("moving_variance", "gamma")):
            values += 1.0
        weight.assign(values.astype("float32"))
    for source, target in zip(reference.weights, densenet121.weights, strict=True):
        target.assign(keras.ops.convert_to_numpy(source))
    x = rng.uniform(0.0, 1.0, size=(2, 64, 64, 3)).astype("float32")
    np.testing.assert_allclose(densenet121.predict(x, verbose=0),
                               reference.predict(x, verbose=0), rtol=1e-4, atol=1e-4)


def test_summarize_counts_the_blocks_multiply_adds(densenet121):
    """cnnlab.shapes.summarize sees inside DenseBlock and TransitionLayer: same MACs as the
    flat keras.applications graph."""
    reference = keras.applications.DenseNet121(weights=None, input_shape=(64, 64, 3))
    ours = cnnlab.shapes.summarize(densenet121).totals
    assert ours["complete"]
    assert ours["macs"] == cnnlab.shapes.summarize(reference).totals["macs"]


@pytest.mark.slow
@pytest.mark.parametrize("depth", [169, 201])
def test_densenet169_201_trainable_parameters(depth):
    assert trainable_params(densenet(depth)) == KERAS_TRAINABLE[depth]


@pytest.mark.parametrize("depth", sorted(IMAGENET_BLOCKS))
def test_name_counts_the_weighted_layers(depth):
    # 2 convs per dense layer, 1 per transition, the first conv and the classifier.
    assert densenet_depth(IMAGENET_BLOCKS[depth]) == depth
    assert densenet_depth((6, 12, 24, 16)) == 2 * (6 + 12 + 24 + 16) + 3 + 1 + 1


def test_densenet121_weighted_layers_in_the_built_model(densenet121):
    convs = [layer for layer in densenet121._flatten_layers()
             if isinstance(layer, keras.layers.Conv2D)]
    dense = [layer for layer in densenet121.layers if isinstance(layer, keras.layers.Dense)]
    assert len(convs) + len(dense) == 121


def test_densenet_bc_100_k12_has_769_162_parameters():
    # Huang et al. 2017, table 2: 0.8M.
    model = densenet_bc(100, 12)
    assert trainable_params(model) == 769_162
    blocks = [layer for layer in model.layers if isinstance(layer, DenseBlock)]
    assert [block.num_layers for block in blocks] == [16, 16, 16]
    assert model.get_layer("transition1").output.shape == (None, 16, 16, (24 + 16 * 12) // 2)


def test_densenet_is_smaller_than_resnet50():
    assert 3 * KERAS_TRAINABLE[121] < trainable_params(resnet(50))


def test_any_input_size_with_global_average_pooling():
    model = densenet_bc(16, 4, input_shape=(None, None, 3), num_classes=4)
    for size in (16, 45):
        assert model.predict(np.zeros((1, size, size, 3), "float32"), verbose=0).shape == (1, 4)


@pytest.mark.parametrize("call, error, word", [
    (lambda: densenet(122), ValueError, "depth"),
    (lambda: densenet(121, growth_rate=0), ValueError, "growth_rate"),
    (lambda: densenet(121, compression=0), ValueError, "compression"),
    (lambda: densenet_bc(101), ValueError, "6n"),
    (lambda: densenet_bc("100"), TypeError, "depth"),
    (lambda: densenet_bc(40, growth_rate=0), ValueError, "growth_rate"),
])
def test_rejects_bad_arguments(call, error, word):
    with pytest.raises(error, match=word):
        call()
