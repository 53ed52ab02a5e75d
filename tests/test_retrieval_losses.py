"""The batch-hard triplet loss against a NumPy loop over every (anchor, positive,
negative) of the definition, and as a serialisable Keras loss."""

import keras
import numpy as np
import pytest

from cnnlab.retrieval import TripletLoss, batch_hard_triplet_loss


def _reference(labels, embeddings, margin):
    e = embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True)
    out = []
    for a in range(len(e)):
        positives = [np.sum((e[a] - e[p]) ** 2) for p in range(len(e)) if p != a and labels[p] == labels[a]]
        negatives = [np.sum((e[a] - e[n]) ** 2) for n in range(len(e)) if labels[n] != labels[a]]
        out.append(max(0.0, max(positives) - min(negatives) + margin) if positives and negatives else 0.0)
    return np.array(out)


@pytest.mark.parametrize("seed", range(4))
def test_batch_hard_loss_equals_the_definition(seed):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, 12)
    labels[0] = 9  # an anchor without a positive in the batch contributes 0
    embeddings = rng.normal(size=(12, 5)).astype(np.float32)
    got = keras.ops.convert_to_numpy(batch_hard_triplet_loss(labels, embeddings, margin=0.3))
    np.testing.assert_allclose(got, _reference(labels, embeddings, 0.3), rtol=1e-5, atol=1e-6)
    assert got[0] == 0.0


def test_one_class_batch_has_no_negatives():
    loss = batch_hard_triplet_loss(np.zeros(4, int), np.eye(4, dtype=np.float32))
    assert keras.ops.convert_to_numpy(loss).tolist() == [0.0] * 4


def test_keras_loss_reduces_to_the_mean_and_round_trips():
    rng = np.random.default_rng(0)
    labels, embeddings = rng.integers(0, 2, 8), rng.normal(size=(8, 3)).astype(np.float32)
    loss = TripletLoss(margin=0.5)
    assert float(loss(labels, embeddings)) == pytest.approx(_reference(labels, embeddings, 0.5).mean(), rel=1e-5)
    again = keras.losses.deserialize(keras.losses.serialize(loss))
    assert isinstance(again, TripletLoss) and again.margin == 0.5
    with pytest.raises(ValueError, match="margin must be in"):
        TripletLoss(margin=0.0)


@pytest.mark.slow
def test_training_with_the_loss_separates_two_classes():
    rng = np.random.default_rng(1)
    labels = np.repeat([0, 1], 32)
    x = rng.normal(size=(64, 4)).astype(np.float32)
    x[:, 0] += labels * 0.8
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8)])
    model.compile(keras.optimizers.Adam(0.05), TripletLoss(0.2))
    before = float(TripletLoss(0.2)(labels, model(x)))
    model.fit(x, labels, epochs=30, batch_size=64, verbose=0)
    assert float(TripletLoss(0.2)(labels, model(x))) < 0.5 * before
