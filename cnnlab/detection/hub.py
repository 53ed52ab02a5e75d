"""A real pre-trained detector from KerasHub, for readers with a network (opt-in).

``pretrained_detector("retinanet_resnet50_fpn_coco")`` downloads RetinaNet's COCO
weights (about 140 MB) through KerasHub's preset loader. Nothing in the course
calls it by default; offline it raises :class:`DetectorNotAvailableError`, which
says what to install or download.
"""

PRESETS = ("retinanet_resnet50_fpn_coco",)


class DetectorNotAvailableError(RuntimeError):
    """KerasHub is not installed, or its preset could not be downloaded."""


def pretrained_detector(preset="retinanet_resnet50_fpn_coco", *, bounding_box_format="xyxy"):
    """KerasHub's COCO-trained object detector.

    Args:
        preset: a KerasHub object-detector preset, one of ``PRESETS``.
        bounding_box_format: the box format its ``predict`` returns ("xyxy" as in
            :mod:`cnnlab.detection.boxes`).

    Returns:
        A ``keras_hub.models.ObjectDetector``; ``model.predict(images)`` gives a dict
        with "boxes", "confidence", "labels" (COCO class ids) and "num_detections".

    Raises:
        DetectorNotAvailableError: without ``keras-hub`` (``pip install 'cnnlab[hub]'``)
            or when the weights cannot be downloaded.
    """
    if preset not in PRESETS:
        raise ValueError(f"preset must be one of {PRESETS}, got {preset!r}")
    try:
        import keras_hub
    except ImportError as err:
        raise DetectorNotAvailableError(
            "a pre-trained detector needs KerasHub: pip install 'cnnlab[hub]' (keras-hub), "
            "then run with a network the first time to download the weights") from err
    try:
        return keras_hub.models.ObjectDetector.from_preset(preset, bounding_box_format=bounding_box_format)
    except Exception as err:
        raise DetectorNotAvailableError(
            f"KerasHub could not load the preset {preset!r} ({type(err).__name__}: {err}). It downloads "
            "the weights from Kaggle Models the first time (kagglehub caches them under "
            "~/.cache/kagglehub); run once with a network, or copy that cache from a machine that has one."
        ) from err
