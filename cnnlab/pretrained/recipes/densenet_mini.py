"""densenet-mini-digits and densenet-mini-shapes: the backbones of lessons 14 and 15.

DenseNet-mini (``cnnlab.models.densenet_mini``: dense blocks, transitions, global
average pooling; 73k parameters) pre-trained by classification on embedded data:

- ``densenet-mini-digits``: digits 0-4 at 32x32, lesson 04's source task. Lesson 14
  searches texture patches with its pooled features: classes it never saw.
- ``densenet-mini-shapes``: single shapes (circle, square, triangle, cross) at 32x32,
  the course's stand-in for COCO. Lesson 15 fine-tunes it to find triangles among
  the other shapes in ``cnnlab.data.scenes``.
"""

from ..registry import Recipe, register, scaled

IMAGE_SIZE = 32
BATCH_SIZE = 64
LEARNING_RATE = 3e-3
SHAPE_CLASSES = ("circle", "square", "triangle", "cross")
SHAPES_COUNT, SHAPES_TEST = 4000, 1000


def _digits():
    from ...data import digits

    return digits(image_size=IMAGE_SIZE, seed=0, classes=[0, 1, 2, 3, 4])


def _shapes():
    from ...data import Split, shapes

    drawn = shapes(count=SHAPES_COUNT, image_size=IMAGE_SIZE, seed=0, classes=SHAPE_CLASSES)
    # Class 0 of the masks is the background: image labels count from the first shape.
    return Split(drawn.images[SHAPES_TEST:], drawn.labels[SHAPES_TEST:] - 1, drawn.images[:SHAPES_TEST],
                 drawn.labels[:SHAPES_TEST] - 1, SHAPE_CLASSES)


def _builder(channels, classes):
    def build():
        from ...models import densenet_mini

        return densenet_mini((IMAGE_SIZE, IMAGE_SIZE, channels), num_classes=classes)

    return build


def _fitter(epochs_at_full_scale):
    def fit(model, split, scale):
        import keras

        epochs = scaled(epochs_at_full_scale, scale)
        model.compile(keras.optimizers.Adam(LEARNING_RATE), "sparse_categorical_crossentropy")
        model.fit(split.x_train, split.y_train, epochs=epochs, batch_size=BATCH_SIZE, verbose=0, shuffle=True)
        return {"optimizer": "Adam", "learning_rate": LEARNING_RATE, "epochs": epochs, "batch_size": BATCH_SIZE,
                "loss": "sparse_categorical_crossentropy"}

    return fit


def _details(channels):
    def details(split):
        return {"architecture": "cnnlab.models.densenet_mini (growth rate 12, blocks of 3, 3, 3 layers, stem stride 2)",
                "input_shape": [IMAGE_SIZE, IMAGE_SIZE, channels], "num_classes": len(split.class_names)}

    return details


register(Recipe(
    name="densenet-mini-digits",
    description="DenseNet-mini (73k parameters) trained on digits 0-4 at 32x32: lesson 14's backbone, "
                "whose pooled features embed texture patches it never saw.",
    data_source="cnnlab.data.digits(image_size=32, seed=0, classes=[0, 1, 2, 3, 4])",
    build=_builder(1, 5), data=_digits, fit=_fitter(40), details=_details(1),
    metric="accuracy", tolerance=0.01, test_scale=0.05,
))

register(Recipe(
    name="densenet-mini-shapes",
    description="DenseNet-mini (73k parameters) trained to classify single circles, squares, triangles and "
                "crosses at 32x32: lesson 15's pre-trained detector backbone.",
    data_source=f"cnnlab.data.shapes(count={SHAPES_COUNT}, image_size=32, seed=0, classes={SHAPE_CLASSES}), "
                f"the first {SHAPES_TEST} for testing",
    build=_builder(3, 4), data=_shapes, fit=_fitter(12), details=_details(3),
    metric="accuracy", tolerance=0.01, test_scale=0.05,
))
