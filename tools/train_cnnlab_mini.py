"""Reproduce cnnlab's shipped pre-trained backbone, ``cnnlab/weights/cnnlab_mini.*``.

cnnlab-mini is trained on the *source* task of the transfer-learning lesson:
scikit-learn's digits 0-4, upsampled to 32x32. Digits 5-9 are never seen, so
the lesson can transfer to a similar task (digits 5-9, a new label set) and
to a different one (textures) honestly.

    .venv/bin/python tools/train_cnnlab_mini.py            # rewrites the shipped files
    .venv/bin/python tools/train_cnnlab_mini.py --out /tmp/w

Deterministic on a given machine (seeded, TensorFlow op determinism); the
card records a digest of the weight values, which ``tests/test_transfer.py``
checks against the shipped file.
"""

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SOURCE_CLASSES = (0, 1, 2, 3, 4)
IMAGE_SIZE = 32
SEED = 0
EPOCHS = 20
BATCH_SIZE = 32
LEARNING_RATE = 3e-3


def weights_digest(model):
    """SHA-256 of every weight's float32 bytes, in ``model.weights`` order."""
    import numpy as np

    digest = hashlib.sha256()
    for variable in model.weights:
        digest.update(np.ascontiguousarray(variable.numpy(), dtype=np.float32).tobytes())
    return digest.hexdigest()


def train(epochs=EPOCHS):
    import cnnlab.notebook

    cnnlab.notebook.setup(seed=SEED, plots=False)
    import keras

    from cnnlab import data, transfer

    split = data.digits(image_size=IMAGE_SIZE, seed=SEED, classes=list(SOURCE_CLASSES))
    model = transfer.cnnlab_mini(num_classes=len(SOURCE_CLASSES), input_shape=(IMAGE_SIZE, IMAGE_SIZE, 1))
    model.compile(keras.optimizers.Adam(LEARNING_RATE), "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(split.x_train, split.y_train, epochs=epochs, batch_size=BATCH_SIZE, verbose=0, shuffle=True)
    _, accuracy = model.evaluate(split.x_test, split.y_test, verbose=0)
    card = {
        "name": "cnnlab-mini",
        "source": "cnnlab.data.digits",
        "source_classes": list(SOURCE_CLASSES),
        "class_names": list(split.class_names),
        "num_classes": len(SOURCE_CLASSES),
        "input_shape": [IMAGE_SIZE, IMAGE_SIZE, 1],
        "split": {"image_size": IMAGE_SIZE, "test_size": 0.25, "seed": SEED},
        "training": {"optimizer": "Adam", "learning_rate": LEARNING_RATE, "epochs": epochs,
                     "batch_size": BATCH_SIZE, "seed": SEED},
        "test_accuracy": round(float(accuracy), 4),
        "test_size": int(len(split.y_test)),
        "weights_sha256": weights_digest(model),
    }
    return model, card


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "cnnlab" / "weights",
                        help="directory for cnnlab_mini.weights.h5 and cnnlab_mini.json")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    args = parser.parse_args(argv)
    model, card = train(args.epochs)
    args.out.mkdir(parents=True, exist_ok=True)
    model.save_weights(args.out / "cnnlab_mini.weights.h5")
    (args.out / "cnnlab_mini.json").write_text(json.dumps(card, indent=2) + "\n")
    print(f"test accuracy on digits {SOURCE_CLASSES}: {card['test_accuracy']:.4f} ({card['test_size']} images)")
    print(f"weights sha256: {card['weights_sha256']}")


if __name__ == "__main__":
    main()
