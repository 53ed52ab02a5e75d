"""centernet-triangles-frozen / -finetuned / -scratch: lesson 15's three detectors.

One CenterNet (``cnnlab.detection.centernet`` on DenseNet-mini's ``dense_block2``,
stride 4) that finds triangles among circles, squares and crosses in 500 scenes of
``cnnlab.data.scenes``, trained for 1,500 Adam steps of 32 scenes with the new heads
at lr 1e-3. Only the backbone differs:

- ``frozen``: ``densenet-mini-shapes``' weights, not trained (learning rate 0);
- ``finetuned``: the same weights trained at lr 1e-4, the lecture note's setting
  (``LayerwiseLR`` multiplier 0.1);
- ``scratch``: a random start, trained at 1e-3 like the heads.

The metric is AP at IoU 0.5 (pycocotools) on 300 test scenes.
"""

from ..registry import Recipe, register, scaled

IMAGE_SIZE = 64
STRIDE = 4
TRAIN_SCENES, TRAIN_SEED = 500, 1
TEST_SCENES, TEST_SEED = 300, 2
STEPS = 1500
BATCH_SIZE = 32
HEAD_LR = 1e-3
BACKBONE_LR = {"frozen": 0.0, "finetuned": 1e-4, "scratch": 1e-3}
HEADS = ("heatmap", "size", "offset", "detections")


def data():
    from ...data import Split, scenes
    from ...detection import encode

    train = scenes(TRAIN_SCENES, IMAGE_SIZE, TRAIN_SEED)
    test = scenes(TEST_SCENES, IMAGE_SIZE, TEST_SEED)
    # y_train: CenterNet's targets; y_test: the true triangle boxes of each test scene.
    return Split(train.images, encode(train.target_boxes(), IMAGE_SIZE, STRIDE), test.images,
                 tuple(test.target_boxes()), (train.target,))


def build():
    from ...detection import centernet
    from ...models import densenet_mini

    return centernet(densenet_mini((IMAGE_SIZE, IMAGE_SIZE, 3), include_top=False), feature_layer="dense_block2")


def backbone_layers(model):
    """Names of the detector's backbone layers that hold weights."""
    return [layer.name for layer in model.layers if layer.weights and not layer.name.startswith(HEADS)]


def map50(model, split):
    from ...detection import coco_average_precision, detect

    boxes, scores = detect(model, split.x_test)
    return coco_average_precision(list(split.y_test), boxes, scores, iou_threshold=0.5)


def _fitter(regime):
    def fit(model, split, scale):
        import keras

        from ... import pretrained
        from ...detection import CenterNetLoss
        from ...training import fit_steps
        from ...transfer import LayerwiseLR

        layers = backbone_layers(model)
        if regime != "scratch":
            source = pretrained.load("densenet-mini-shapes")
            for name in layers:
                model.get_layer(name).set_weights(source.get_layer(name).get_weights())
        optimizer = keras.optimizers.Adam(HEAD_LR)
        if regime == "frozen":
            for name in layers:
                model.get_layer(name).trainable = False
        elif regime == "finetuned":
            optimizer = LayerwiseLR(optimizer, {name: BACKBONE_LR[regime] / HEAD_LR for name in layers})
        model.compile(optimizer, CenterNetLoss())
        steps = scaled(STEPS, scale)
        fit_steps(model, split.x_train, split.y_train, steps=steps, batch_size=BATCH_SIZE, seed=0)
        return {"optimizer": "Adam", "head_learning_rate": HEAD_LR, "backbone_learning_rate": BACKBONE_LR[regime],
                "steps": steps, "batch_size": BATCH_SIZE, "loss": "CenterNetLoss (focal heatmap + L1 size, offset)"}

    return fit


def _details(regime):
    def details(split):
        return {"regime": regime, "backbone": None if regime == "scratch" else "densenet-mini-shapes",
                "input_shape": [IMAGE_SIZE, IMAGE_SIZE, 3], "stride": STRIDE, "target": split.class_names[0]}

    return details


for _regime, _what in (("frozen", "on the frozen densenet-mini-shapes backbone"),
                       ("finetuned", "on densenet-mini-shapes fine-tuned at lr 1e-4"),
                       ("scratch", "trained from a random start")):
    register(Recipe(
        name=f"centernet-triangles-{_regime}",
        description=f"A CenterNet that finds triangles among other shapes, {_what}: one of lesson 15's "
                    "three regimes.",
        data_source=f"cnnlab.data.scenes({TRAIN_SCENES}, {IMAGE_SIZE}, seed={TRAIN_SEED}) to train, "
                    f"cnnlab.data.scenes({TEST_SCENES}, {IMAGE_SIZE}, seed={TEST_SEED}) to test",
        build=build, data=data, fit=_fitter(_regime), details=_details(_regime),
        metric=map50, metric_name="map@0.5", tolerance=0.02, test_scale=0.01,
    ))
