"""Recall@K and mAP against independent oracles: brute-force definitions and
scikit-learn's average_precision_score."""

import numpy as np
import pytest
from sklearn.metrics import average_precision_score

from cnnlab import retrieval


def _ranking(seed, queries=30, database=120, classes=4):
    rng = np.random.default_rng(seed)
    query_labels = rng.integers(0, classes, queries)
    database_labels = rng.integers(0, classes, database)
    scores = rng.normal(size=(queries, database)) + 1.5 * (query_labels[:, None] == database_labels[None, :])
    order = np.argsort(-scores, axis=1)
    return query_labels, database_labels, scores, database_labels[order]


@pytest.mark.parametrize("seed", range(5))
def test_map_over_a_full_ranking_equals_scikit_learn(seed):
    query_labels, database_labels, scores, ranked = _ranking(seed)
    want = np.mean([average_precision_score(database_labels == q, s) for q, s in zip(query_labels, scores)])
    assert retrieval.mean_average_precision(query_labels, ranked) == pytest.approx(want, abs=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_truncated_map_uses_the_database_count(seed):
    query_labels, database_labels, _, ranked = _ranking(seed)
    totals = np.bincount(database_labels, minlength=4)[query_labels]
    want = []
    for q, row, total in zip(query_labels, ranked[:, :10], totals):
        hits = [i for i in range(10) if row[i] == q]
        want.append(sum((j + 1) / (i + 1) for j, i in enumerate(hits)) / total)
    got = retrieval.mean_average_precision(query_labels, ranked[:, :10], num_relevant=totals)
    assert got == pytest.approx(np.mean(want), abs=1e-12)


@pytest.mark.parametrize("k", [1, 3, 10])
def test_recall_at_k_is_the_hit_rate(k):
    query_labels, _, _, ranked = _ranking(7)
    want = np.mean([any(ranked[i, j] == query_labels[i] for j in range(k)) for i in range(len(query_labels))])
    assert retrieval.recall_at_k(query_labels, ranked, k) == want


def test_hand_computed_cases():
    assert retrieval.average_precision([True, False, True]) == pytest.approx((1 + 2 / 3) / 2)
    assert retrieval.average_precision([False, True], num_relevant=4) == pytest.approx(0.5 / 4)
    assert retrieval.mean_average_precision([0, 1], [[0, 0, 1], [0, 0, 1]]) == pytest.approx((1.0 + 1 / 3) / 2)
    assert retrieval.recall_at_k([0, 1], [[1, 0], [0, 0]], k=1) == 0.0
    assert retrieval.recall_at_k([0, 1], [[1, 0], [0, 0]], k=2) == 0.5


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="one row of ranked labels per query"):
        retrieval.recall_at_k([0, 1], [[0, 1]], 1)
    with pytest.raises(ValueError, match=r"k must be in \[1, 2\]"):
        retrieval.recall_at_k([0], [[0, 1]], 3)
    with pytest.raises(ValueError, match=r"queries \[1\] have no relevant item"):
        retrieval.mean_average_precision([0, 5], [[0, 1], [0, 1]])
    with pytest.raises(ValueError, match="num_relevant must be an int >= the 2 relevant"):
        retrieval.average_precision([True, True], num_relevant=1)
    with pytest.raises(ValueError, match="no queries"):
        retrieval.recall_at_k([], np.zeros((0, 3)), 1)
    with pytest.raises(ValueError, match="num_relevant must be 2 integers"):
        retrieval.mean_average_precision([0, 1], [[0, 1], [1, 0]], num_relevant=[1])
