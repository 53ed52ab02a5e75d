"""Metric learning: the batch-hard triplet loss (Hermans, Beyer and Leibe 2017).

For every anchor ``a`` in a batch, take its hardest positive ``p`` (same label,
farthest) and hardest negative ``n`` (other label, nearest), and ask for a margin
between them: ``max(0, d(a, p) - d(a, n) + margin)``, with ``d`` the squared
Euclidean distance of the L2-normalised embeddings (``2 - 2 cos``). Anchors
without a positive or a negative in the batch contribute 0.
"""

import keras
from keras import ops

from .._checks import boolean, fraction


def batch_hard_triplet_loss(labels, embeddings, margin=0.2, normalize=True):
    """Per-anchor batch-hard triplet losses, ``(batch,)``, in ``keras.ops``.

    Args:
        labels: ``(batch,)`` integer labels.
        embeddings: ``(batch, d)``.
        margin: the wanted gap between negative and positive distances.
        normalize: L2-normalise the embeddings first (distances then lie in [0, 4]).
    """
    labels = ops.reshape(labels, (-1,))
    embeddings = ops.convert_to_tensor(embeddings, dtype="float32")
    if normalize:
        embeddings = embeddings / ops.maximum(ops.norm(embeddings, axis=-1, keepdims=True), 1e-12)
    squared = ops.sum(ops.square(embeddings), axis=-1)
    distances = ops.maximum(
        squared[:, None] - 2.0 * ops.matmul(embeddings, ops.transpose(embeddings)) + squared[None, :], 0.0)
    same = ops.equal(labels[:, None], labels[None, :])
    not_self = ops.logical_not(ops.eye(ops.shape(labels)[0], dtype="bool"))
    positive = ops.logical_and(same, not_self)
    negative = ops.logical_not(same)
    hardest_positive = ops.max(ops.where(positive, distances, 0.0), axis=1)
    # Adding 4 (the largest squared distance of unit vectors) to non-negatives
    # keeps them out of the minimum without an infinity in the graph.
    hardest_negative = ops.min(ops.where(negative, distances, distances + 4.0 + margin), axis=1)
    valid = ops.logical_and(ops.any(positive, axis=1), ops.any(negative, axis=1))
    losses = ops.relu(hardest_positive - hardest_negative + margin)
    return ops.where(valid, losses, 0.0)


@keras.saving.register_keras_serializable(package="cnnlab")
class TripletLoss(keras.losses.Loss):
    """Batch-hard triplet loss as a Keras loss: ``model.compile(loss=TripletLoss(0.2))``.

    ``y_true`` is the batch's integer labels, ``y_pred`` the embeddings ``(batch, d)``.
    Batches must hold at least two images of some class and two classes (a shuffled
    batch of 64 over a few classes does).

    Args:
        margin: in (0, 4], the gap asked between negative and positive squared distances.
        normalize: L2-normalise the embeddings inside the loss.
    """

    def __init__(self, margin=0.2, normalize=True, name="triplet_loss", **kwargs):
        super().__init__(name=name, **kwargs)
        self.margin = fraction(margin, "margin", low=0.0, high=4.0, low_open=True)
        self.normalize = boolean(normalize, "normalize")

    def call(self, y_true, y_pred):
        return batch_hard_triplet_loss(y_true, y_pred, self.margin, self.normalize)

    def get_config(self):
        config = super().get_config()
        config.update(margin=self.margin, normalize=self.normalize)
        return config
