"""cnnlab-mini: the transfer-learning lesson's pre-trained backbone.

Trained on the lesson's *source* task, scikit-learn's digits 0-4 upsampled to 32x32.
Digits 5-9 are never seen, so the lesson can transfer honestly to a similar task (digits
5-9, a new label set) and to a different one (textures).
"""

from ..registry import Recipe, register, scaled

CLASSES = (0, 1, 2, 3, 4)
IMAGE_SIZE = 32
EPOCHS = 20
BATCH_SIZE = 32
LEARNING_RATE = 3e-3


def build():
    from ...transfer import cnnlab_mini

    return cnnlab_mini(num_classes=len(CLASSES), input_shape=(IMAGE_SIZE, IMAGE_SIZE, 1))


def data():
    from ...data import digits

    return digits(image_size=IMAGE_SIZE, seed=0, classes=list(CLASSES))


def fit(model, split, scale):
    import keras

    epochs = scaled(EPOCHS, scale)
    model.compile(keras.optimizers.Adam(LEARNING_RATE), "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(split.x_train, split.y_train, epochs=epochs, batch_size=BATCH_SIZE, verbose=0, shuffle=True)
    return {"optimizer": "Adam", "learning_rate": LEARNING_RATE, "epochs": epochs, "batch_size": BATCH_SIZE,
            "loss": "sparse_categorical_crossentropy"}


def details(split):
    # The fields cnnlab.transfer.mini_card() has always returned.
    return {"source": "cnnlab.data.digits", "source_classes": list(CLASSES), "num_classes": len(CLASSES),
            "input_shape": [IMAGE_SIZE, IMAGE_SIZE, 1],
            "split": {"image_size": IMAGE_SIZE, "test_size": 0.25, "seed": 0}}


register(Recipe(
    name="cnnlab-mini",
    description="A 24k-parameter CNN (three conv-BN-ReLU blocks, global average pooling, softmax) "
                "trained on digits 0-4 at 32x32: the backbone of the transfer-learning lesson.",
    data_source="cnnlab.data.digits(image_size=32, seed=0, classes=[0, 1, 2, 3, 4])",
    build=build, data=data, fit=fit, details=details,
    metric="accuracy", tolerance=0.01, test_scale=0.05,
))
