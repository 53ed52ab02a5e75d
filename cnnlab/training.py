"""Small training helpers for the lessons: equal step budgets and plain accuracy."""

import numpy as np

from ._checks import positive_int


def fit_steps(model, x, y, *, steps, batch_size=32, seed=0, validation_data=None, evaluations=1):
    """Train a compiled model for exactly ``steps`` optimizer steps.

    Comparing methods on 25 images and on 700 images needs the same budget in
    *steps*, not epochs; and ``fit`` on a 25-image array with 60 epochs pays
    Keras' per-epoch overhead 60 times. This feeds an endless stream of seeded
    permutations of the data instead (:class:`cnnlab.data.batches.StepStream`,
    a Keras ``PyDataset``), the same batches on every backend.

    Args:
        model: a compiled ``keras.Model``.
        x, y: training arrays.
        steps: number of optimizer steps (batches), an int >= 1.
        batch_size: batch size; a set smaller than one batch is used whole.
        seed: seed of the shuffle.
        validation_data: optional ``(x_val, y_val)`` evaluated ``evaluations`` times.
        evaluations: how many evenly spaced points of the run to record
            (the last is after step ``steps``); must divide ``steps``.

    Returns:
        A dict of lists: "step" (steps done at each record) and Keras'
        history metrics ("loss", "accuracy", "val_accuracy", ...).
    """
    from .data.batches import StepStream
    from .data.split import check_seed

    steps = positive_int(steps, "steps")
    batch_size = positive_int(batch_size, "batch_size")
    evaluations = positive_int(evaluations, "evaluations")
    seed = check_seed(seed)
    if steps % evaluations:
        raise ValueError(f"evaluations must divide steps={steps}, got {evaluations!r}")
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}")
    stream = StepStream(np.asarray(x), np.asarray(y), min(batch_size, len(y)), seed=seed)
    per_record = steps // evaluations
    history = model.fit(stream, epochs=evaluations, steps_per_epoch=per_record,
                        validation_data=validation_data, shuffle=False, verbose=0)
    record = {"step": [per_record * (i + 1) for i in range(evaluations)]}
    record.update({key: [float(v) for v in values] for key, values in history.history.items()})
    return record


def predict(model, x, batch_size=256):
    """``model(x, training=False)`` in batches, as a NumPy array.

    Calling the model eagerly avoids tracing a new ``predict`` function for
    every model a lesson builds (TensorFlow warns about retracing after five).
    """
    batch_size = positive_int(batch_size, "batch_size")
    import keras

    return np.concatenate(
        [keras.ops.convert_to_numpy(model(x[i : i + batch_size], training=False)) for i in range(0, len(x), batch_size)]
    )


def accuracy(model, x, y, batch_size=256):
    """Fraction of ``x`` whose arg-max prediction equals ``y`` (no compiled metric needed)."""
    return float(np.mean(np.argmax(predict(model, x, batch_size), axis=-1) == np.asarray(y)))
