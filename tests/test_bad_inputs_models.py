"""Bad input to the builders, cnnlab.transfer, cnnlab.training and cnnlab.data: a clear
ValueError/TypeError naming the argument, never a silent wrong model or a deep traceback.

Minimum input sizes are checked against Keras itself: with the builder's check switched
off, the smallest side at which Keras builds a model whose maps all have at least one
pixel must be the minimum the error states.
"""

import importlib
import math

import keras
import numpy as np
import pytest

from cnnlab import data, models, training, transfer
from cnnlab.models import _arguments

M = models

CASES = [
    # include_top must be a bool, in every builder that has it.
    (lambda: M.resnet(18, include_top="no"), TypeError, r"include_top must be True or False"),
    (lambda: M.plain_net(18, include_top=0), TypeError, r"include_top must be True or False"),
    (lambda: M.se_resnet(50, include_top="no"), TypeError, r"include_top must be True or False"),
    (lambda: M.densenet(121, include_top=None), TypeError, r"include_top must be True or False"),
    (lambda: M.efficientnet(0, include_top="yes"), TypeError, r"include_top must be True or False"),
    (lambda: M.scaled_efficientnet(include_top=1), TypeError, r"include_top must be True or False"),
    (lambda: M.efficientnet(0, include_preprocessing="no"), TypeError, r"include_preprocessing"),
    (lambda: M.densenet_mini(include_top="no"), TypeError, r"include_top must be True or False"),
    (lambda: transfer.backbone("cnnlab-mini", include_top="no"), TypeError, r"include_top"),
    (lambda: transfer.cnnlab_mini(include_top="no"), TypeError, r"include_top"),
    # Depths and variants: ints from the list, not 18.0 or "18".
    (lambda: M.resnet(18.0), TypeError, r"depth must be an int, one of 18, 34, 50, 101, 152; got 18\.0"),
    (lambda: M.resnet("18"), TypeError, r"depth must be an int, one of 18, 34"),
    (lambda: M.resnet(20), ValueError, r"depth must be one of 18, 34, 50, 101, 152; got 20"),
    (lambda: M.plain_net(34.0), TypeError, r"depth must be an int"),
    (lambda: M.se_resnet(True), TypeError, r"depth must be an int"),
    (lambda: M.densenet(121.0), TypeError, r"depth must be an int, one of 121, 169, 201"),
    (lambda: M.densenet(100), ValueError, r"depth must be one of 121, 169, 201"),
    (lambda: M.vgg(16.0), TypeError, r"depth must be an int, one of 11, 13, 16, 19"),
    (lambda: M.efficientnet(1.0), TypeError, r"phi must be an int, one of 0, 1, 2"),
    (lambda: M.efficientnet(8), ValueError, r"phi must be one of 0, 1, 2, 3, 4, 5, 6, 7"),
    # Activation names: the argument and the names Keras knows.
    (lambda: M.resnet(18, classifier_activation="sofmax"), ValueError,
     r"classifier_activation must be None or a Keras activation name \(.*softmax.*\); got 'sofmax'"),
    (lambda: M.resnet_cifar(20, classifier_activation="relux"), ValueError, r"classifier_activation"),
    (lambda: M.densenet_bc(40, 12, classifier_activation="x"), ValueError, r"classifier_activation"),
    (lambda: M.vgg(11, small=True, classifier_activation="softmaxx"), ValueError,
     r"classifier_activation must be None or a Keras activation name"),
    (lambda: M.alexnet(small=True, classifier_activation="nope"), ValueError, r"classifier_activation"),
    (lambda: M.zfnet(small=True, classifier_activation="nope"), ValueError, r"classifier_activation"),
    (lambda: M.googlenet(small=True, classifier_activation="nope"), ValueError, r"classifier_activation"),
    (lambda: M.inception_v3(small=True, classifier_activation="nope"), ValueError,
     r"classifier_activation"),
    (lambda: M.efficientnet(0, classifier_activation=3), TypeError, r"classifier_activation"),
    (lambda: M.unet(3, classifier_activation="sofmax"), ValueError,
     r"classifier_activation must be None or a Keras activation name"),
    (lambda: transfer.replace_head(transfer.cnnlab_mini(), 3, activation="sofmax"), ValueError,
     r"activation must be None or a Keras activation name"),
    # weights=: None or a .weights.h5 path on every ImageNet-layout builder.
    (lambda: M.resnet(18, weights="imagenet"), ValueError,
     r"weights='imagenet' is not available for resnet18.*transfer\.backbone"),
    (lambda: M.densenet(121, weights="imagenet"), ValueError, r"not available for densenet121"),
    (lambda: M.efficientnet(0, weights="imagenet"), ValueError, r"not available for efficientnet_b0"),
    (lambda: M.se_resnet(50, weights=3), TypeError, r"weights must be None or a path"),
    (lambda: M.plain_net(18, weights="model.h5"), ValueError, r"ending in \.weights\.h5"),
    (lambda: M.resnet(18, weights="missing.weights.h5"), ValueError, r"does not exist"),
    # Inputs too small for the architecture: input_shape and the minimum.
    (lambda: M.densenet(121, input_shape=(16, 16, 3)), ValueError,
     r"input_shape \(16, 16, 3\) is too small for densenet\(121\): .* at least 29"),
    (lambda: M.vgg(16, small=True, input_shape=(16, 16, 1)), ValueError,
     r"input_shape \(16, 16, 1\) is too small for vgg: .* at least 32"),
    (lambda: M.inception_v3(input_shape=(32, 32, 3)), ValueError,
     r"input_shape \(32, 32, 3\) is too small for inception_v3: .* at least 75"),
    (lambda: M.inception_v3(small=True, input_shape=(14, None, 1)), ValueError, r"at least 15"),
    (lambda: M.densenet_bc(40, 12, input_shape=(3, 3, 3)), ValueError, r"at least 4"),
    (lambda: M.densenet_mini(input_shape=(4, 4, 1)), ValueError, r"at least 7"),
    (lambda: M.alexnet(input_shape=(66, 66, 3)), ValueError, r"at least 67"),
    (lambda: M.zfnet(input_shape=(52, 52, 3)), ValueError, r"at least 53"),
    (lambda: M.googlenet(input_shape=(64, 64, 3)), ValueError,
     r"too small for googlenet\(aux_classifiers=True\).* at least 65"),
    (lambda: transfer.cnnlab_mini(input_shape=(3, 3, 1)), ValueError, r"at least 4"),
    # The shipped cnnlab-mini weights: one channel, 3-D input_shape.
    (lambda: transfer.backbone("cnnlab-mini", input_shape=(32, 32, 3)), ValueError,
     r"shipped cnnlab-mini weights need input_shape \(height, width, 1\).*got \(32, 32, 3\)"),
    (lambda: transfer.backbone("cnnlab-mini", input_shape=(32, 32)), ValueError,
     r"shipped cnnlab-mini weights need input_shape"),
    (lambda: transfer.backbone("cnnlab-mini", weights=None, input_shape=(32, 32)), TypeError,
     r"input_shape must be \(height, width, channels\)"),
    # LayerwiseLR multipliers: finite numbers >= 0.
    (lambda: transfer.LayerwiseLR(keras.optimizers.SGD(), {"a": math.inf}), ValueError,
     r"multiplier for 'a' must be a finite float >= 0, got inf"),
    (lambda: transfer.LayerwiseLR(keras.optimizers.SGD(), {"a": math.nan}), ValueError, r"'a'"),
    (lambda: transfer.LayerwiseLR(keras.optimizers.SGD(), {"a": -0.1}), ValueError, r"'a'.*-0\.1"),
    (lambda: transfer.LayerwiseLR(keras.optimizers.SGD(), {"a": "0.1"}), TypeError, r"'a'"),
    (lambda: transfer.LayerwiseLR(keras.optimizers.SGD(), {}, default=math.inf), ValueError,
     r"'default'"),
    # Models where a model is needed.
    (lambda: transfer.freeze("not a model"), TypeError, r"model must be a keras\.Model, got str"),
    (lambda: transfer.unfreeze([1, 2]), TypeError, r"model must be a keras\.Model, got list"),
    (lambda: transfer.replace_head("m", 3), TypeError, r"model must be a built functional"),
    (lambda: training.predict("m", np.zeros((2, 4))), TypeError, r"model must be a keras\.Model"),
    (lambda: training.fit_steps(transfer.cnnlab_mini(), np.zeros((2, 32, 32, 1)), [0, 1], steps=1),
     ValueError, r"must be compiled"),
    (lambda: training.predict(transfer.cnnlab_mini(), np.zeros((0, 32, 32, 1))), ValueError,
     r"x must hold at least one sample"),
    (lambda: training.accuracy(transfer.cnnlab_mini(), np.zeros((2, 32, 32, 1)), [0]), ValueError,
     r"x and y must have the same length"),
    # cnnlab.data: finite noise, bad labels, sizes within a stated limit.
    (lambda: data.shapes(count=2, noise=math.inf), ValueError, r"noise must be a number >= 0 and finite"),
    (lambda: data.shapes(count=2, noise=math.nan), ValueError, r"noise"),
    (lambda: data.shapes(count=2, noise="0.1"), TypeError, r"noise"),
    (lambda: data.scenes(count=2, noise=math.inf), ValueError, r"noise must be a number >= 0"),
    (lambda: data.shapes(count=10**6, image_size=1024), ValueError,
     r"count and image_size would need a float32 array of shape \(1000000, 1024, 1024, 3\) "
     r"\(11718\.8 GiB\), over cnnlab\.data's limit of 2 GiB"),
    (lambda: data.shapes(count=2, shapes_per_image=128), ValueError, r"shapes_per_image must be at most 127"),
    (lambda: data.scenes(count=10**6, image_size=512), ValueError, r"count and image_size .* limit"),
    (lambda: data.digits(image_size=100_000), ValueError, r"image_size would need .* limit of 2 GiB"),
    (lambda: data.per_class_subset(np.zeros((4, 2)), [0.0, 1.0, 0.0, 1.0], 1), TypeError,
     r"y must be a non-empty 1-D array of int class labels, got dtype float64"),
    (lambda: data.per_class_subset(np.zeros((4, 2)), [[0, 1], [0, 1]], 1), TypeError, r"y must be"),
    (lambda: data.per_class_subset(np.zeros((4, 2)), [], 1), TypeError, r"y must be a non-empty"),
    (lambda: data.per_class_subset(np.zeros((4, 2)), [0, -1, 0, 1], 1), ValueError,
     r"y must hold class labels >= 0, got -1"),
    (lambda: data.per_class_subset(np.zeros((3, 2)), [0, 1, 0, 1], 1), ValueError,
     r"x and y must have one sample each per row, got 3 and 4"),
    (lambda: data.per_class_subset(np.zeros((4, 2)), ["a", "b", "a", "b"], 1), TypeError, r"y must be"),
    # Sizes have an upper bound, stated in the message, before anything is allocated.
    (lambda: M.resnet(18, num_classes=10**10), ValueError, r"num_classes must be in \[1, 100,000\]"),
    (lambda: M.vgg(11, small=True, num_classes=10**6), ValueError, r"num_classes must be in"),
    (lambda: M.unet(10**6), ValueError, r"num_classes must be in \[1, 100,000\], got 1000000"),
    (lambda: transfer.replace_head(transfer.cnnlab_mini(), 10**6), ValueError,
     r"num_classes must be an int in \[2, 100,000\]"),
    (lambda: M.densenet(121, growth_rate=10**7), ValueError, r"growth_rate must be in \[1, 8,192\]"),
    (lambda: M.densenet_mini(growth_rate=10**5), ValueError, r"growth_rate must be in"),
    (lambda: M.resnet_cifar(20, width=10**5), ValueError, r"width must be in \[1, 8,192\]"),
    (lambda: M.unet(3, base_filters=10**5), ValueError, r"base_filters must be in"),
    (lambda: M.fcn(3, head_filters=10**5), ValueError, r"head_filters must be in"),
    (lambda: M.deeplab_v3(3, filters=(16, 32, 64, 10**5)), ValueError, r"filters must be in"),
    (lambda: M.zfnet(small=True, conv345_filters=(512, 10**5, 512)), ValueError,
     r"conv345_filters must be a tuple of 3 ints in \[1, 8192\]"),
]


@pytest.mark.parametrize("call, error, message", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_bad_input_raises_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_a_flattened_top_too_large_for_memory_is_refused_with_its_size():
    # The oracle for the stated size: the feature map Keras builds without the top.
    features = M.vgg(16, include_top=False, input_shape=(2000, 2000, 3)).output_shape[1:]
    flat = int(np.prod(features))
    assert flat == 1_968_128
    gib = flat * 4096 * 4 / 2**30
    message = (rf"layer 'fc1' would need a {flat:,} x 4,096 weight matrix \({gib:,.1f} GiB, at most 2 GiB\)"
               r": its input, the flattened feature map, is too large")
    with pytest.raises(ValueError, match=message):
        M.vgg(16, input_shape=(2000, 2000, 3))
    with pytest.raises(ValueError, match=r"layer 'fc6' would need"):
        M.alexnet(input_shape=(3000, 3000, 3))
    with pytest.raises(ValueError, match=r"layer 'predictions' would need a 2,048 x 100,000 weight matrix"
                                         r"|num_classes"):
        M.resnet(50, num_classes=100_001)


@pytest.mark.parametrize("error", [MemoryError(), type("ResourceExhaustedError", (Exception,), {})("OOM"),
                                   RuntimeError("RESOURCE_EXHAUSTED: Out of memory allocating 9 GiB"),
                                   RuntimeError("DefaultCPUAllocator: not enough memory: out of memory")])
def test_running_out_of_memory_while_building_says_which_call(error):
    # Combinations of in-range arguments (a wide growth rate on a deep DenseNet) can
    # still exceed memory; each backend says so differently.
    @_arguments.memory_checked
    def builder(depth, *, width):
        raise error

    with pytest.raises(ValueError, match=r"builder\(121, width=4096\) needs more memory for its weights "
                                         r"than this machine can allocate .*use a smaller input_shape"):
        builder(121, width=4096)


def test_other_errors_pass_through_memory_checked():
    @_arguments.memory_checked
    def builder():
        raise RuntimeError("a bug, not a size")

    with pytest.raises(RuntimeError, match="a bug, not a size"):
        builder()
    assert builder.__name__ == "builder"


def test_min_input_side_inverts_the_output_size_formulas():
    chain = ((_arguments.PAD, 1), (_arguments.VALID, 5, 3), (_arguments.SAME, 2), (_arguments.VALID, 3, 2))

    def output(n):
        for step in chain:
            if step[0] == _arguments.PAD:
                n += 2 * step[1]
            elif step[0] == _arguments.SAME:
                n = -(-n // step[1])
            else:
                n = (n - step[1]) // step[2] + 1
        return n

    smallest = next(n for n in range(1, 200) if output(n) >= 1)
    assert _arguments.min_input_side(chain) == smallest


def _builds(builder, side, channels):
    """True when Keras builds the model at side x side and no map is empty."""
    try:
        model = builder((side, side, channels))
    except ValueError as error:  # Keras' "Computed output size would be zero or negative"
        if "too small" in str(error):
            raise
        return False
    for layer in _all_layers(model):
        for tensor in keras.tree.flatten(layer.output):
            if len(tensor.shape) == 4 and min(tensor.shape[1:3]) < 1:
                return False
    return True


def _all_layers(model):
    layers = []
    for layer in model.layers:
        layers.append(layer)
        if isinstance(layer, keras.Model):
            layers.extend(_all_layers(layer))
    return layers


SIZES = {
    "densenet121": (lambda s: M.densenet(121, input_shape=s, include_top=False), 3, 29),
    "densenet_bc": (lambda s: M.densenet_bc(10, 4, input_shape=s), 3, 4),
    "densenet_mini": (lambda s: M.densenet_mini(input_shape=s, block_layers=(1, 1, 1, 1)), 1, 15),
    "vgg_small": (lambda s: M.vgg(11, small=True, input_shape=s, include_top=False), 1, 32),
    "inception_v3": (lambda s: M.inception_v3(input_shape=s, include_top=False), 3, 75),
    "inception_v3_small": (lambda s: M.inception_v3(small=True, input_shape=s), 1, 15),
    "alexnet": (lambda s: M.alexnet(input_shape=s, include_top=False), 3, 67),
    "alexnet_owt": (lambda s: M.alexnet(variant="one_weird_trick", input_shape=s,
                                        include_top=False), 3, 63),
    "alexnet_small": (lambda s: M.alexnet(small=True, input_shape=s, include_top=False), 1, 15),
    "zfnet": (lambda s: M.zfnet(input_shape=s, include_top=False), 3, 53),
    "zfnet_small": (lambda s: M.zfnet(small=True, input_shape=s, include_top=False), 1, 9),
    "googlenet_small_aux": (lambda s: M.googlenet(small=True, input_shape=s), 1, 17),
    "cnnlab_mini": (lambda s: transfer.cnnlab_mini(input_shape=s), 1, 4),
}


@pytest.mark.parametrize("name", sorted(SIZES))
def test_the_stated_minimum_is_where_keras_stops_building(name, monkeypatch):
    builder, channels, minimum = SIZES[name]
    with pytest.raises(ValueError, match=rf"input_shape \({minimum - 1}, {minimum - 1}, {channels}\) "
                                         rf"is too small for .* at least {minimum}\b"):
        builder((minimum - 1, minimum - 1, channels))
    # The oracle: Keras' own shape inference with the check switched off.
    for module in ("densenet", "vgg", "inception", "alexnet", "googlenet", "densenet_mini"):
        monkeypatch.setattr(importlib.import_module(f"cnnlab.models.{module}"), "check_min_side",
                            lambda *args: None)
    monkeypatch.setattr(transfer, "check_min_side", lambda *args: None)
    assert _builds(builder, minimum, channels)
    assert not _builds(builder, minimum - 1, channels)


def test_resnet_and_efficientnet_take_any_size():
    # Their strided layers all pad ("same" or a symmetric ZeroPadding), so 1 pixel survives.
    assert M.resnet(18, input_shape=(1, 1, 3)).output_shape == (None, 1000)
    assert M.scaled_efficientnet(0.25, 0.25, input_shape=(1, 1, 3), num_classes=2).output_shape == (None, 2)


def test_a_weights_path_round_trips(tmp_path):
    path = str(tmp_path / "r.weights.h5")
    source = M.resnet(18, input_shape=(32, 32, 3), num_classes=3)
    source.save_weights(path)
    loaded = M.resnet(18, input_shape=(32, 32, 3), num_classes=3, weights=path)
    for a, b in zip(source.weights, loaded.weights):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b))
