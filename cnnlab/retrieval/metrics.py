"""Retrieval metrics: Recall@K and mean average precision over ranked neighbours.

A retrieved item is *relevant* to a query when it has the query's label.

- Recall@K (as in deep metric learning, Song et al. 2016): the fraction of queries
  with at least one relevant item among their first K neighbours.
- Average precision of one query: the mean, over its relevant items, of the
  precision of the ranking cut just after each of them,
  ``AP = (1/R) * sum_i rel_i * (relevant in the first i) / i``, where ``R`` is the
  number of relevant items in the whole database. mAP averages AP over queries.
  On a full ranking this is scikit-learn's ``average_precision_score`` of the
  similarity scores.
"""

import numbers

import numpy as np


def relevance(query_labels, neighbour_labels):
    """Boolean ``(q, k)``: does neighbour ``j`` of query ``i`` share its label?"""
    query_labels = np.asarray(query_labels)
    neighbour_labels = np.asarray(neighbour_labels)
    if query_labels.ndim != 1 or neighbour_labels.ndim != 2 or len(query_labels) != len(neighbour_labels):
        raise ValueError("query_labels must be (q,) and neighbour_labels (q, k), one row of ranked labels "
                         f"per query; got shapes {query_labels.shape} and {neighbour_labels.shape}")
    if len(query_labels) == 0:
        raise ValueError("no queries: query_labels is empty")
    return neighbour_labels == query_labels[:, None]


def _check_k(k, available):
    if isinstance(k, bool) or not isinstance(k, numbers.Integral):
        raise TypeError(f"k must be an int in [1, {available}], got {k!r}")
    if not 1 <= k <= available:
        raise ValueError(f"k must be in [1, {available}] (the neighbours given per query), got {k}")
    return int(k)


def recall_at_k(query_labels, neighbour_labels, k):
    """Fraction of queries with a relevant item among their first ``k`` neighbours.

    Args:
        query_labels: ``(q,)`` labels of the queries.
        neighbour_labels: ``(q, n)`` labels of each query's neighbours, best first
            (``index.labels_of(ids)``), ``n >= k``.
        k: an int in ``[1, n]``.

    Example:
        >>> recall_at_k([0, 1], [[1, 0], [0, 0]], k=2)
        0.5
    """
    relevant = relevance(query_labels, neighbour_labels)
    k = _check_k(k, relevant.shape[1])
    return float(relevant[:, :k].any(axis=1).mean())


def average_precision(relevant, num_relevant=None):
    """AP of one ranking: ``relevant`` booleans, best first.

    Args:
        relevant: 1-D booleans, the ranked list.
        num_relevant: relevant items in the whole database (R); defaults to those in
            ``relevant`` (right when the ranking covers the database). Items beyond
            the list count as never retrieved.
    """
    relevant = np.asarray(relevant, dtype=bool)
    if relevant.ndim != 1:
        raise ValueError(f"relevant must be 1-D, got shape {relevant.shape}")
    total = int(relevant.sum()) if num_relevant is None else num_relevant
    if isinstance(total, bool) or not isinstance(total, numbers.Integral) or total < relevant.sum():
        raise ValueError(f"num_relevant must be an int >= the {int(relevant.sum())} relevant items ranked, "
                         f"got {num_relevant!r}")
    if total == 0:
        raise ValueError("the query has no relevant item in the database: its average precision is undefined")
    hits = np.cumsum(relevant)
    precision = hits / np.arange(1, len(relevant) + 1)
    return float(precision[relevant].sum() / total)


def mean_average_precision(query_labels, neighbour_labels, num_relevant=None):
    """Mean over queries of :func:`average_precision`.

    Args:
        query_labels: ``(q,)`` labels of the queries.
        neighbour_labels: ``(q, n)`` ranked neighbour labels; pass the whole database
            (``k = len(index)``) for the standard mAP, or a top-``n`` list together
            with ``num_relevant`` for mAP@n.
        num_relevant: optional ``(q,)`` counts of relevant items in the database
            (e.g. ``np.bincount(index.labels)[query_labels]``).

    Example:
        >>> mean_average_precision([0], [[0, 1, 0]])   # (1/1 + 2/3) / 2
        0.8333333333333333
    """
    relevant = relevance(query_labels, neighbour_labels)
    if num_relevant is None:
        totals = [None] * len(relevant)
    else:
        totals = np.asarray(num_relevant)
        if totals.shape != (len(relevant),) or not np.issubdtype(totals.dtype, np.integer):
            raise ValueError(f"num_relevant must be {len(relevant)} integers, one per query, got {totals.shape}")
        totals = [int(t) for t in totals]
    missing = [i for i, (row, t) in enumerate(zip(relevant, totals)) if (row.sum() if t is None else t) == 0]
    if missing:
        raise ValueError(f"queries {missing[:5]} have no relevant item in the database "
                         "(a label the database does not hold): their average precision is undefined")
    return float(np.mean([average_precision(row, t) for row, t in zip(relevant, totals)]))
