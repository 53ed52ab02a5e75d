"""The seeded recipes that produce :mod:`cnnlab.checkpoints`' shipped weights.

``train(name)`` returns ``(model, card_entries)``; ``evaluate(name, model)`` computes
the metrics a card records, so a test can check that the shipped weights still
reproduce them. ``tools/train_densenet_mini.py`` and ``tools/train_detectors.py``
call these and write the files. Deterministic on one machine (seeded, TensorFlow op
determinism); other machines reach the same metrics within a few points.
"""

SEED = 0
SHAPE_CLASSES = ("circle", "square", "triangle", "cross")
BACKBONES = {
    # name: source task, classes, epochs
    "densenet-mini-digits": ("scikit-learn digits 0-4 at 32x32 (cnnlab.data.digits)", 5, 40),
    "densenet-mini-shapes": ("single shapes at 32x32 RGB (cnnlab.data.shapes): circle, square, triangle, cross",
                             4, 12),
}
BACKBONE_BATCH, BACKBONE_LR, SHAPES_COUNT, SHAPES_TEST = 64, 3e-3, 4000, 1000

REGIMES = ("frozen", "finetuned", "scratch")
DETECTOR = {"feature_layer": "dense_block2", "head_channels": 64}
SCENES = {"train": {"count": 500, "seed": 1}, "test": {"count": 300, "seed": 2}, "image_size": 64,
          "target": "triangle"}
DETECTOR_STEPS, DETECTOR_BATCH, HEAD_LR, BACKBONE_FINETUNE_LR = 1500, 32, 1e-3, 1e-4


# ------------------------------------------------------------------ backbones


def source_split(name, count=SHAPES_COUNT):
    """The source task of a backbone as a ``Split`` (the card's test accuracy is on its test part)."""
    from . import data

    if name == "densenet-mini-digits":
        return data.digits(image_size=32, seed=SEED, classes=[0, 1, 2, 3, 4])
    shapes = data.shapes(count=count, image_size=32, seed=SEED, classes=SHAPE_CLASSES)
    test = min(SHAPES_TEST, count // 4)
    return data.Split(shapes.images[test:], shapes.labels[test:] - 1, shapes.images[:test],
                      shapes.labels[:test] - 1, shapes.class_names[1:])


def backbone_architecture(name):
    channels = 1 if name == "densenet-mini-digits" else 3
    return {"builder": "densenet_mini",
            "config": {"input_shape": [32, 32, channels], "num_classes": BACKBONES[name][1], "growth_rate": 12,
                       "block_layers": [3, 3, 3], "compression": 0.5, "stem_stride": 2}}


def textures_retrieval(model):
    """Retrieval of texture patches (classes a digits backbone never saw) with ``model``'s pooled features.

    Test patches query the training patches; returns recall@1 and mAP over the full ranking.
    """
    import keras

    from . import data, retrieval

    split = data.textures(image_size=32)
    features = keras.Model(model.input, model.get_layer("features").output)
    index = retrieval.ExactIndex(features.output.shape[-1]).add(retrieval.embed(features, split.x_train),
                                                                 labels=split.y_train)
    _, ids = index.search(retrieval.embed(features, split.x_test), k=len(index))
    ranked = index.labels_of(ids)
    return {"textures_recall_at_1": retrieval.recall_at_k(split.y_test, ranked, 1),
            "textures_map": retrieval.mean_average_precision(split.y_test, ranked)}


def _train_backbone(name, epochs=None, count=SHAPES_COUNT):
    import keras

    from . import checkpoints

    epochs = BACKBONES[name][2] if epochs is None else epochs
    split = source_split(name, count)
    spec = backbone_architecture(name)
    model = checkpoints.build(spec)
    model.compile(keras.optimizers.Adam(BACKBONE_LR), "sparse_categorical_crossentropy")
    model.fit(split.x_train, split.y_train, epochs=epochs, batch_size=BACKBONE_BATCH, verbose=0, shuffle=True)
    card = {
        "recipe": f"tools/train_densenet_mini.py --source {name.rsplit('-', 1)[1]}",
        "source": BACKBONES[name][0],
        "class_names": list(split.class_names),
        "architecture": spec,
        "data": {"train": int(len(split.y_train)), "test": int(len(split.y_test)), "seed": SEED,
                 **({"shapes_count": count} if name == "densenet-mini-shapes" else {})},
        "training": {"optimizer": "Adam", "learning_rate": BACKBONE_LR, "epochs": epochs,
                     "batch_size": BACKBONE_BATCH, "seed": SEED},
    }
    return model, card


# ------------------------------------------------------------------ detectors


def detection_scenes(part, count=None):
    """Lesson 15's training or test scenes (``part`` = "train" or "test")."""
    from . import data

    spec = SCENES[part]
    return data.scenes(count or spec["count"], SCENES["image_size"], spec["seed"], target=SCENES["target"])


def detector_architecture():
    backbone = backbone_architecture("densenet-mini-shapes")["config"]
    backbone = {**backbone, "input_shape": [SCENES["image_size"], SCENES["image_size"], 3], "include_top": False}
    return {"builder": "centernet", "backbone": backbone, **DETECTOR}


def detection_map(model, count=None):
    """mAP@0.5 (pycocotools) of ``model`` on the test scenes, and AP at IoU 0.75."""
    from . import detection

    test = detection_scenes("test", count)
    boxes, scores = detection.detect(model, test.images)
    truth = test.target_boxes()
    return {"test_map50": detection.coco_average_precision(truth, boxes, scores, 0.5),
            "test_ap75": detection.coco_average_precision(truth, boxes, scores, 0.75)}


def _train_detector(regime, steps=None, count=None):
    import keras

    from . import checkpoints, detection, training, transfer

    steps = DETECTOR_STEPS if steps is None else steps
    keras.utils.set_random_seed(SEED)
    spec = detector_architecture()
    model = checkpoints.build(spec)
    backbone_layers = [layer.name for layer in model.layers
                       if not layer.name.startswith(("heatmap", "size", "offset", "detections"))
                       and layer.weights]
    if regime != "scratch":
        source = checkpoints.load("densenet-mini-shapes")
        for layer_name in backbone_layers:
            model.get_layer(layer_name).set_weights(source.get_layer(layer_name).get_weights())
    optimizer = keras.optimizers.Adam(HEAD_LR)
    if regime == "frozen":
        for layer_name in backbone_layers:
            model.get_layer(layer_name).trainable = False
    elif regime == "finetuned":
        optimizer = transfer.LayerwiseLR(optimizer, {n: BACKBONE_FINETUNE_LR / HEAD_LR for n in backbone_layers})
    model.compile(optimizer, detection.CenterNetLoss())
    scenes = detection_scenes("train", count)
    targets = detection.encode(scenes.target_boxes(), SCENES["image_size"], detection.output_stride(model))
    training.fit_steps(model, scenes.images, targets, steps=steps, batch_size=DETECTOR_BATCH, seed=SEED)
    backbone_lr = {"frozen": 0.0, "finetuned": BACKBONE_FINETUNE_LR, "scratch": HEAD_LR}[regime]
    card = {
        "recipe": f"tools/train_detectors.py --regime {regime}",
        "source": f"CenterNet for {SCENES['target']}s in cnnlab.data.scenes; backbone "
                  + ("densenet-mini-shapes" if regime != "scratch" else "randomly initialised"),
        "regime": regime,
        "architecture": spec,
        "data": {key: SCENES[key] for key in ("train", "test", "image_size", "target")},
        "training": {"optimizer": "Adam", "steps": steps, "batch_size": DETECTOR_BATCH, "head_learning_rate": HEAD_LR,
                     "backbone_learning_rate": backbone_lr, "seed": SEED},
    }
    if count is not None:
        card["data"]["train"] = {**SCENES["train"], "count": count}
    return model, card


# ---------------------------------------------------------------------- API


def names():
    return tuple(BACKBONES) + tuple(f"centernet-triangles-{r}" for r in REGIMES)


def train(name, *, epochs=None, steps=None, count=None):
    """Train checkpoint ``name`` from scratch by its recipe: ``(model, card_entries)``.

    ``epochs`` (backbones), ``steps`` and ``count`` (detectors: training scenes;
    backbones: shapes generated) shorten a recipe for tests; the defaults are the
    shipped settings. The card entries include the metrics of :func:`evaluate`.
    """
    if name not in names():
        raise ValueError(f"name must be one of {names()}, got {name!r}")
    if name in BACKBONES:
        model, card = _train_backbone(name, epochs, SHAPES_COUNT if count is None else count)
    else:
        model, card = _train_detector(name.rsplit("-", 1)[1], steps, count)
    card["metrics"] = evaluate(name, model)
    return model, card


def evaluate(name, model):
    """The metrics a checkpoint's card records, computed afresh for ``model``."""
    from . import training

    if name in BACKBONES:
        split = source_split(name)
        metrics = {"test_accuracy": training.accuracy(model, split.x_test, split.y_test)}
        if name == "densenet-mini-digits":
            metrics.update(textures_retrieval(model))
        return {key: round(float(value), 4) for key, value in metrics.items()}
    return {key: round(float(value), 4) for key, value in detection_map(model).items()}
