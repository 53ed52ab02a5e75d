"""AlexNet and ZFNet against the papers' layer tables, summed by hand."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from cnnlab.models import alexnet, zfnet  # noqa: E402


def conv(k, cin, cout, groups=1):
    return k * k * (cin // groups) * cout + cout


def fc(fin, fout):
    return fin * fout + fout


FC_PARAMS = fc(6 * 6 * 256, 4096) + fc(4096, 4096) + fc(4096, 1000)


@pytest.fixture(scope="module")
def grouped():
    return alexnet()


def test_two_gpu_alexnet_has_the_paper_count(grouped):
    by_hand = conv(11, 3, 96) + conv(5, 96, 256, 2) + conv(3, 256, 384) + conv(3, 384, 384, 2) + conv(3, 384, 256, 2)
    assert grouped.count_params() == by_hand + FC_PARAMS == 60_965_224


def test_conv1_and_pool1_shapes_and_params(grouped):
    conv1 = grouped.get_layer("conv1")
    assert grouped.input_shape == (None, 227, 227, 3)
    assert conv1.output.shape == (None, 55, 55, 96)
    assert conv1.count_params() == 34_944
    assert grouped.get_layer("pool1").output.shape == (None, 27, 27, 96)
    assert grouped.get_layer("pool1").count_params() == 0
    assert grouped.get_layer("pool5").output.shape == (None, 6, 6, 256)


def test_grouped_layers_see_half_the_channels(grouped):
    assert tuple(grouped.get_layer("conv2").kernel.shape) == (5, 5, 48, 256)
    assert tuple(grouped.get_layer("conv3").kernel.shape) == (3, 3, 256, 384)
    assert tuple(grouped.get_layer("conv4").kernel.shape) == (3, 3, 192, 384)
    assert tuple(grouped.get_layer("conv5").kernel.shape) == (3, 3, 192, 256)


@pytest.mark.slow
def test_ungrouped_alexnet_count():
    by_hand = conv(11, 3, 96) + conv(5, 96, 256) + conv(3, 256, 384) + conv(3, 384, 384) + conv(3, 384, 256)
    assert alexnet(groups=1).count_params() == by_hand + FC_PARAMS == 62_378_344


@pytest.mark.slow
def test_one_weird_trick_variant_is_torchvisions_count():
    model = alexnet(variant="one_weird_trick")
    by_hand = conv(11, 3, 64) + conv(5, 64, 192) + conv(3, 192, 384) + conv(3, 384, 256) + conv(3, 256, 256)
    assert model.count_params() == by_hand + FC_PARAMS == 61_100_840
    assert model.get_layer("conv1").output.shape == (None, 55, 55, 64)


def test_grouped_convolution_is_two_independent_halves():
    # Oracle: two ungrouped Conv2D layers, each on its half of the channels.
    model = alexnet(small=True, num_classes=10, groups=2)
    layer = model.get_layer("conv2")
    x = np.random.default_rng(0).normal(size=(2, 15, 15, 32)).astype("float32")
    kernel, bias = layer.get_weights()
    halves = []
    for g in range(2):
        half = keras.layers.Conv2D(32, 5, padding="same", activation="relu")
        half.build((None, 15, 15, 16))
        half.set_weights([kernel[..., g * 32 : (g + 1) * 32], bias[g * 32 : (g + 1) * 32]])
        halves.append(keras.ops.convert_to_numpy(half(x[..., g * 16 : (g + 1) * 16])))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(x)), np.concatenate(halves, axis=-1), rtol=1e-5, atol=1e-5)


@pytest.fixture(scope="module")
def zf():
    return zfnet()


def test_zfnet_conv1_is_smaller_and_denser(zf):
    assert zf.get_layer("conv1").kernel.shape == (7, 7, 3, 96)
    assert zf.get_layer("conv1").output.shape == (None, 110, 110, 96)
    # Zeiler & Fergus figure 3: 110 -> 55 -> 26 -> 13 -> 13 -> 13 -> 6.
    sizes = [zf.get_layer(n).output.shape[1] for n in ("pool1", "conv2", "pool2", "conv3", "conv5", "pool5")]
    assert sizes == [55, 26, 13, 13, 13, 6]


def test_zfnet_count_by_hand(zf):
    convs = conv(7, 3, 96) + conv(5, 96, 256) + conv(3, 256, 512) + conv(3, 512, 1024) + conv(3, 1024, 512)
    fcs = fc(6 * 6 * 512, 4096) + fc(4096, 4096) + fc(4096, 1000)
    assert zf.count_params() == convs + fcs


def test_zfnet_paper_widths():
    model = zfnet(conv345_filters=(384, 384, 256), include_top=False)
    assert model.output_shape == (None, 6, 6, 256)


def test_include_top_false_pooling():
    model = alexnet(include_top=False, pooling="max", input_shape=(227, 227, 3))
    assert model.output_shape == (None, 256)


@pytest.mark.slow
@pytest.mark.long_training
@pytest.mark.parametrize("builder", [alexnet, zfnet])
def test_small_variants_learn_digits_with_sgd_momentum_weight_decay(builder):
    from cnnlab.data import digits

    data = digits(image_size=32)
    # The paper subtracts the mean image; here the mean and spread of the training pixels.
    mean, std = data.x_train.mean(), data.x_train.std()
    keras.utils.set_random_seed(0)
    model = builder(small=True, num_classes=10, dropout=0.0)
    optimizer = keras.optimizers.SGD(0.01, momentum=0.9, weight_decay=5e-4)
    model.compile(optimizer, "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit((data.x_train - mean) / std, data.y_train, epochs=4, batch_size=32, verbose=0)
    _, accuracy = model.evaluate((data.x_test - mean) / std, data.y_test, verbose=0)
    assert accuracy > 0.7


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda: alexnet(groups=3), "groups"),
        (lambda: alexnet(variant="v2"), "variant"),
        (lambda: alexnet(variant="one_weird_trick", groups=2), "groups"),
        (lambda: alexnet(weights="imagenet", small=True), "imagenet"),
        (lambda: alexnet(small="yes"), "small"),
        (lambda: zfnet(conv345_filters=(1, 2)), "conv345_filters"),
        (lambda: zfnet(include_top=1), "include_top"),
    ],
)
def test_bad_arguments_raise(make, name):
    with pytest.raises((ValueError, TypeError), match=name):
        make()
