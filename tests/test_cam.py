"""Class activation maps: equal to the formula computed in NumPy (convolution by
sliding window, scikit-image's bilinear resize), and the identity that makes them
exact: mean(CAM_c) + b_c is the class score before the softmax."""

import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest
from skimage.transform import resize

from cnnlab import reference
from cnnlab.cam import cam_layers, class_activation_maps
from cnnlab.plotting import plot_class_activation_maps


def gap_net(activation=None, dropout=False, seed=0):
    """Conv(5, 3x3, stride 2, ReLU) -> GAP -> [Dropout] -> Dense(4)."""
    keras.utils.set_random_seed(seed)
    x = keras.Input((12, 12, 3))
    f = keras.layers.Conv2D(5, 3, strides=2, padding="same", activation="relu", name="conv",
                            bias_initializer=keras.initializers.RandomUniform(-0.2, 0.2, seed=seed))(x)
    y = keras.layers.GlobalAveragePooling2D(name="gap")(f)
    if dropout:
        y = keras.layers.Dropout(0.5, name="drop")(y)
    y = keras.layers.Dense(4, activation=activation, name="dense",
                           bias_initializer=keras.initializers.RandomUniform(-1, 1, seed=seed))(y)
    return keras.Model(x, y)


def images(n=6, seed=1):
    return np.random.default_rng(seed).random((n, 12, 12, 3), dtype=np.float32)


def numpy_cams(model, x, classes):
    """Zhou et al.'s formula with no Keras in the loop."""
    conv, dense = model.get_layer("conv"), model.get_layer("dense")
    kernel, bias = (keras.ops.convert_to_numpy(w) for w in conv.weights)
    features = np.maximum(reference.conv2d(x.astype(np.float64), kernel, bias, stride=2, padding="same"), 0)
    weights = keras.ops.convert_to_numpy(dense.kernel)
    return np.stack([features[i] @ weights[:, c] for i, c in enumerate(classes)])


def test_maps_equal_the_formula_at_feature_resolution():
    model, x = gap_net(), images()
    classes = np.array([0, 1, 2, 3, 0, 1])
    cams = class_activation_maps(model, x, classes, size=None)
    assert cams.maps.shape == (6, 6, 6) and cams.features_shape == (6, 6)
    np.testing.assert_allclose(cams.maps, numpy_cams(model, x, classes), rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(cams.classes, classes)


def test_upsampled_maps_equal_a_bilinear_resize_of_the_formula():
    model, x = gap_net(), images()
    cams = class_activation_maps(model, x, 2)
    assert cams.maps.shape == (6, 12, 12)
    expected = np.stack([resize(m, (12, 12), order=1, mode="edge", anti_aliasing=False)
                         for m in numpy_cams(model, x, [2] * 6)])
    np.testing.assert_allclose(cams.maps, expected, rtol=1e-4, atol=1e-5)
    assert class_activation_maps(model, x, 2, size=(18, 24)).maps.shape == (6, 18, 24)


@pytest.mark.parametrize("dropout", [False, True])
def test_mean_of_the_map_plus_bias_is_the_logit(dropout):
    model, x = gap_net(dropout=dropout), images()
    logits = keras.ops.convert_to_numpy(model(x))
    bias = keras.ops.convert_to_numpy(model.get_layer("dense").bias)
    for c in range(4):
        cams = class_activation_maps(model, x, c, size=None)
        np.testing.assert_allclose(cams.maps.mean(axis=(1, 2)) + bias[c], logits[:, c], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(cams.logits, logits, rtol=1e-4, atol=1e-5)


def test_softmax_models_map_the_score_before_the_softmax():
    model, x = gap_net(activation="softmax"), images()
    probabilities = keras.ops.convert_to_numpy(model(x))
    cams = class_activation_maps(model, x, size=None)
    bias = keras.ops.convert_to_numpy(model.get_layer("dense").bias)
    scores = cams.maps.mean(axis=(1, 2)) + bias[cams.classes]
    np.testing.assert_allclose(scores, cams.logits[np.arange(6), cams.classes], rtol=1e-4, atol=1e-5)
    softmax = np.exp(cams.logits) / np.exp(cams.logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(softmax, probabilities, rtol=1e-4, atol=1e-6)
    # By default each image is mapped for the class the model predicts.
    np.testing.assert_array_equal(cams.classes, probabilities.argmax(axis=1))


def test_a_separate_softmax_layer_and_a_shipped_backbone():
    x = keras.Input((12, 12, 3))
    y = keras.layers.GlobalAveragePooling2D()(keras.layers.Conv2D(4, 3)(x))
    model = keras.Model(x, keras.layers.Softmax()(keras.layers.Dense(3)(y)))
    feature, pool, dense = cam_layers(model)
    assert tuple(feature.shape) == (None, 10, 10, 4) and dense.units == 3
    from cnnlab import transfer

    mini = transfer.backbone("cnnlab-mini", include_top=True)
    digits = np.random.default_rng(0).random((3, 32, 32, 1), dtype=np.float32)
    cams = class_activation_maps(mini, digits)
    assert cams.maps.shape == (3, 32, 32) and cams.features_shape == (8, 8)


def test_models_without_global_average_pooling_are_refused():
    x = keras.Input((8, 8, 1))
    flat = keras.Model(x, keras.layers.Dense(2)(keras.layers.Flatten()(keras.layers.Conv2D(2, 3)(x))))
    with pytest.raises(ValueError, match="GlobalAveragePooling2D"):
        class_activation_maps(flat, np.zeros((1, 8, 8, 1), np.float32))
    model, x = gap_net(), images(2)
    with pytest.raises(ValueError, match="0..3"):
        class_activation_maps(model, x, 4)
    with pytest.raises(ValueError, match="one per image"):
        class_activation_maps(model, x, [0, 1, 2])
    with pytest.raises(TypeError, match="classes"):
        class_activation_maps(model, x, 1.5)
    with pytest.raises(ValueError, match="size"):
        class_activation_maps(model, x, size="image")
    with pytest.raises(ValueError, match="images"):
        class_activation_maps(model, x[0])


def test_overlay_draws_each_image_and_its_stretched_map():
    model, x = gap_net(), images(4)
    cams = class_activation_maps(model, x)
    fig = plot_class_activation_maps(x, cams.maps, titles=[f"class {c}" for c in cams.classes])
    overlays = fig.axes[4:8]
    for ax, image, cam in zip(overlays, x, cams.maps):
        np.testing.assert_allclose(ax.images[0].get_array(), image)
        drawn = np.asarray(ax.images[1].get_array())
        np.testing.assert_allclose(drawn, (cam - cam.min()) / np.ptp(cam), atol=1e-6)
    assert [ax.get_title() for ax in fig.axes[:4]] == [f"class {c}" for c in cams.classes]
    with pytest.raises(ValueError, match="size='input'"):
        plot_class_activation_maps(x, class_activation_maps(model, x, size=None).maps)
    plt.close("all")


def test_the_shipped_shapes_classifier_looks_at_the_shape():
    # The picture that explains global average pooling, measured: for the true class,
    # the map's peak lies on the shape (within 2 pixels of its mask) far more often
    # than a pixel drawn at random does.
    from skimage.morphology import dilation, disk

    from cnnlab import pretrained
    from cnnlab.data import SHAPES, shapes

    model = pretrained.load("shapes-gap")
    test = shapes(count=300, image_size=32, seed=1, classes=SHAPES)
    cams = class_activation_maps(model, test.images, test.labels - 1)
    near = np.stack([dilation(mask > 0, disk(2)) for mask in test.masks])
    peaks = cams.maps.reshape(len(cams.maps), -1).argmax(axis=1)
    on_shape = np.mean(near.reshape(len(peaks), -1)[np.arange(len(peaks)), peaks])
    at_random = np.mean(near)
    assert on_shape >= 0.85 and on_shape >= 3 * at_random, (on_shape, at_random)
