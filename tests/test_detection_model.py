"""The CenterNet builder, prediction path, the KerasHub opt-in's errors, and a short
training run that lowers the loss."""

import sys
import types

import keras
import numpy as np
import pytest

from cnnlab import data, detection
from cnnlab.models import densenet_mini


def _detector(size=64):
    return detection.centernet(densenet_mini((size, size, 3), include_top=False), feature_layer="dense_block2")


def test_heads_read_the_feature_map_at_stride_4():
    model = _detector()
    assert model.output_shape == (None, 16, 16, 5)
    assert detection.output_stride(model) == 4
    bias = keras.ops.convert_to_numpy(model.get_layer("heatmap_out").bias)
    np.testing.assert_allclose(1 / (1 + np.exp(-bias)), 0.1, rtol=1e-5)
    flexible = detection.centernet(densenet_mini((None, None, 3), include_top=False), feature_layer="dense_block2")
    assert flexible(np.zeros((2, 96, 96, 3), np.float32)).shape == (2, 24, 24, 5)


def test_a_detector_survives_keras_save_and_load(tmp_path):
    model = _detector()
    x = data.scenes(count=2, seed=0).images
    model.save(tmp_path / "detector.keras")
    again = keras.models.load_model(tmp_path / "detector.keras")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(again(x)), keras.ops.convert_to_numpy(model(x)),
                               rtol=1e-5, atol=1e-5)


def test_builder_rejects_bad_backbones():
    backbone = densenet_mini((64, 64, 3), include_top=False)
    with pytest.raises(ValueError, match="feature_layer must name a layer"):
        detection.centernet(backbone, feature_layer="block9")
    with pytest.raises(ValueError, match="4-D feature map"):
        detection.centernet(backbone)
    with pytest.raises(TypeError, match="functional keras.Model"):
        detection.centernet(keras.layers.Dense(3))


def test_detect_returns_one_entry_per_image():
    scenes = data.scenes(count=3, seed=0)
    boxes, scores = detection.detect(_detector(), scenes.images)
    assert len(boxes) == len(scores) == 3
    assert all(b.shape == (len(s), 4) for b, s in zip(boxes, scores))


@pytest.mark.slow
def test_training_lowers_the_loss():
    keras.utils.set_random_seed(0)
    scenes = data.scenes(count=32, seed=0)
    targets = detection.encode(scenes.target_boxes(), 64)
    model = _detector()
    model.compile(keras.optimizers.Adam(1e-3), detection.CenterNetLoss())
    loss = model.fit(scenes.images, targets, epochs=15, batch_size=32, verbose=0).history["loss"]
    assert loss[-1] < 0.5 * loss[0]


def test_pretrained_detector_without_keras_hub_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "keras_hub", None)
    with pytest.raises(detection.DetectorNotAvailableError, match=r"pip install 'cnnlab\[hub\]'"):
        detection.pretrained_detector()
    with pytest.raises(ValueError, match="preset must be one of"):
        detection.pretrained_detector("yolo_v99")


def test_pretrained_detector_offline_names_the_preset_and_the_cache(monkeypatch):
    def from_preset(preset, **kwargs):
        raise OSError("could not resolve host")

    fake = types.SimpleNamespace(models=types.SimpleNamespace(ObjectDetector=types.SimpleNamespace(
        from_preset=from_preset)))
    monkeypatch.setitem(sys.modules, "keras_hub", fake)
    with pytest.raises(detection.DetectorNotAvailableError,
                       match="retinanet_resnet50_fpn_coco.*could not resolve host.*kagglehub"):
        detection.pretrained_detector()
