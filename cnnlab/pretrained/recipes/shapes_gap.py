"""shapes-gap: a global-average-pooled classifier of the five shapes, for class activation maps.

Five 3x3 convolutions (two poolings) end in an 8x8x96 feature map, global average
pooling and one Dense layer: exactly the structure for which a class activation map
(``cnnlab.cam``) is the class score pixel by pixel. Trained on every class of
``cnnlab.data.shapes`` under random rotation, size, position, colour and noise.
"""

from ..registry import Recipe, register, scaled

IMAGE_SIZE = 32
TRAIN_IMAGES = 3000
TEST_IMAGES = 600
EPOCHS = 24
BATCH_SIZE = 64
LEARNING_RATE = 2e-3


def build():
    import keras

    layers = keras.layers
    inputs = keras.Input((IMAGE_SIZE, IMAGE_SIZE, 3), name="image")
    x = inputs
    for block, (filters, pool) in enumerate([(24, False), (32, True), (48, False), (64, True), (96, False)], 1):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"conv{block}")(x)
        x = layers.BatchNormalization(momentum=0.9, name=f"bn{block}")(x)
        x = layers.ReLU(name=f"relu{block}")(x)
        if pool:
            x = layers.MaxPooling2D(2, name=f"pool{block}")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    outputs = layers.Dense(5, activation="softmax", name="classifier")(x)
    return keras.Model(inputs, outputs, name="shapes_gap")


def data():
    from ...data import SHAPES, Split, shapes

    train = shapes(count=TRAIN_IMAGES, image_size=IMAGE_SIZE, seed=0, classes=SHAPES)
    test = shapes(count=TEST_IMAGES, image_size=IMAGE_SIZE, seed=1, classes=SHAPES)
    # Class 0 of the masks is the background: image labels count from the first shape.
    return Split(train.images, train.labels - 1, test.images, test.labels - 1, SHAPES)


def fit(model, split, scale):
    import keras

    epochs = scaled(EPOCHS, scale)
    schedule = keras.optimizers.schedules.CosineDecay(LEARNING_RATE, epochs * -(-len(split.y_train) // BATCH_SIZE))
    model.compile(keras.optimizers.Adam(schedule), "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(split.x_train, split.y_train, epochs=epochs, batch_size=BATCH_SIZE, verbose=0, shuffle=True)
    return {"optimizer": "Adam", "learning_rate": LEARNING_RATE, "schedule": "cosine decay to 0",
            "epochs": epochs, "batch_size": BATCH_SIZE, "loss": "sparse_categorical_crossentropy"}


def details(split):
    return {"input_shape": [IMAGE_SIZE, IMAGE_SIZE, 3], "num_classes": len(split.class_names)}


register(Recipe(
    name="shapes-gap",
    description="A 105k-parameter all-convolutional classifier of the five cnnlab.data.shapes classes "
                "ending in global average pooling and one Dense layer, for class activation maps.",
    data_source=f"cnnlab.data.shapes(count={TRAIN_IMAGES} (seed 0) / {TEST_IMAGES} (seed 1), "
                f"image_size={IMAGE_SIZE}, classes=SHAPES)",
    build=build, data=data, fit=fit, details=details,
    metric="accuracy", tolerance=0.01, test_scale=0.05,
))
