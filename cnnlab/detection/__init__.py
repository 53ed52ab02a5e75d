"""Object detection for one class: boxes, IoU, CenterNet targets, losses, a builder, mAP.

The lesson's pipeline::

    targets = encode(scenes.boxes, image_size=64, stride=4)         # heatmap + sizes
    model = centernet(backbone, feature_layer="post_relu")
    model.compile(keras.optimizers.Adam(1e-4), loss=CenterNetLoss())
    model.fit(scenes.images, targets)
    boxes, scores = detect(model, test.images)
    coco_average_precision(test.boxes, boxes, scores, iou_threshold=0.5)   # mAP@0.5

Boxes are "xyxy" pixel coordinates (:mod:`.boxes`). ``pretrained_detector`` loads
a real COCO detector from KerasHub when the network allows (``cnnlab[hub]``).
"""
import importlib

from .boxes import FORMATS, as_boxes, box_area, box_iou, convert, non_max_suppression
from .heatmaps import decode, encode, gaussian_radius
from .metrics import average_precision, coco_average_precision, match, precision_recall
from .hub import DetectorNotAvailableError, pretrained_detector

_KERAS = {"centernet": "detector", "detect": "detector", "output_stride": "detector",
          "CenterNetLoss": "losses", "centernet_loss": "losses"}


def __getattr__(name):
    if name in _KERAS:
        return getattr(importlib.import_module(f"{__name__}.{_KERAS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
