"""Batches of NumPy arrays as Keras ``PyDataset`` objects: one pipeline for every backend.

``model.fit``, ``evaluate`` and ``predict`` take a ``keras.utils.PyDataset`` on
TensorFlow, JAX and PyTorch alike, so a lesson's data pipeline does not depend
on the backend (a ``tf.data`` pipeline would tie it to TensorFlow), and the same
seed gives the same batches on all three.
"""

import math

import keras
import numpy as np


def _permutation(seed, epoch, count):
    return np.random.default_rng([seed, epoch]).permutation(count)


class ArrayBatches(keras.utils.PyDataset):
    """``(x, y)`` in batches, optionally shuffled anew (and reproducibly) every epoch.

    Args:
        x, y: arrays of the same length.
        batch_size: int >= 1; the last batch holds the remainder.
        shuffle: draw a new seeded order for every epoch (every pass of
            ``model.fit``, or of ``for x, y in batches``).
        seed: int seed of the orders.

    Iterating gives NumPy ``(x, y)`` batches; ``len()`` is the number of batches.
    """

    def __init__(self, x, y, batch_size, *, shuffle=False, seed=0):
        super().__init__()
        if len(x) != len(y):
            raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}")
        self.x, self.y = x, y
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.seed = seed
        self.epoch = 0

    def _order(self):
        if not self.shuffle:
            return np.arange(len(self.y))
        return _permutation(self.seed, self.epoch, len(self.y))

    def __len__(self):
        return math.ceil(len(self.y) / self.batch_size)

    def __getitem__(self, index):
        if not 0 <= index < len(self):
            raise IndexError(f"batch index {index} out of range for {len(self)} batches")
        take = self._order()[index * self.batch_size : (index + 1) * self.batch_size]
        return self.x[take], self.y[take]

    def __iter__(self):
        for index in range(len(self)):
            yield self[index]
        self.on_epoch_end()

    def on_epoch_end(self):
        self.epoch += 1


class StepStream(keras.utils.PyDataset):
    """An endless stream of equal batches: seeded permutations of ``(x, y)``, end to end.

    Batch ``i`` is samples ``i * batch_size`` to ``(i + 1) * batch_size`` of
    the concatenation of one permutation per pass over the data, so a batch may
    span two passes and every step sees ``batch_size`` samples. For
    ``model.fit(stream, steps_per_epoch=...)``.
    """

    def __init__(self, x, y, batch_size, *, seed=0):
        super().__init__()
        self.x, self.y = x, y
        self.batch_size = batch_size
        self.seed = seed

    @property
    def num_batches(self):
        return None

    def __getitem__(self, index):
        count = len(self.y)
        start = index * self.batch_size
        positions = np.arange(start, start + self.batch_size)
        epochs, offsets = np.divmod(positions, count)
        take = np.concatenate([_permutation(self.seed, e, count)[offsets[epochs == e]] for e in np.unique(epochs)])
        return self.x[take], self.y[take]
