"""Small training helpers for the lessons: equal step budgets and plain accuracy."""

import numpy as np

from ._checks import positive_int


def _check_model(model, compiled=False):
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    if compiled and not model.compiled:
        raise ValueError(f"model {model.name!r} must be compiled (model.compile(optimizer, loss)) "
                         "before fit_steps")


def _check_samples(x, y=None):
    if not hasattr(x, "__len__") or not len(x):
        raise ValueError(f"x must hold at least one sample, got {type(x).__name__}")
    if y is not None and (not hasattr(y, "__len__") or len(x) != len(y)):
        raise ValueError(f"x and y must have the same length, got {len(x)} and "
                         f"{len(y) if hasattr(y, '__len__') else type(y).__name__}")


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
    _check_model(model, compiled=True)
    _check_samples(x, y)
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
    _check_model(model)
    _check_samples(x)
    import keras

    return np.concatenate(
        [keras.ops.convert_to_numpy(model(x[i : i + batch_size], training=False)) for i in range(0, len(x), batch_size)]
    )


def accuracy(model, x, y, batch_size=256):
    """Fraction of ``x`` whose arg-max prediction equals ``y`` (no compiled metric needed)."""
    _check_samples(x, y)
    return float(np.mean(np.argmax(predict(model, x, batch_size), axis=-1) == np.asarray(y)))
