"""Nearest-neighbour indexes with one interface: exact NumPy search, and FAISS.

Both store row vectors (and optional integer labels), answer ``search(queries, k)``
with the ``k`` most similar stored rows, best first, and round-trip through
``save(path)`` / ``load_index(path)``. Similarity is the cosine (vectors are
L2-normalised on the way in) or the raw inner product.
"""

import io
import numbers
from pathlib import Path

import numpy as np

from .._checks import boolean, choice, positive_int
from .embedding import check_vectors, l2_normalize

METRICS = ("cosine", "inner_product")
FAISS_KINDS = ("flat", "ivf")
_FORMAT = 1
_SCORE_BUDGET = 1 << 24  # similarity entries computed per chunk of exact search (64 MiB)


class _Index:
    kind = None

    def __init__(self, dim, metric="cosine"):
        self.dim = positive_int(dim, "dim")
        self.metric = choice(metric, "metric", METRICS)
        self._labels = None

    def __len__(self):
        return self.ntotal

    def __repr__(self):
        return f"{type(self).__name__}(dim={self.dim}, metric={self.metric!r}, size={len(self)})"

    @property
    def labels(self):
        """Labels of the stored vectors, in id order (None when added without labels)."""
        return None if self._labels is None else self._labels.copy()

    def _prepare(self, vectors, name):
        vectors = check_vectors(vectors, name, dim=self.dim)
        return l2_normalize(vectors, name) if self.metric == "cosine" else vectors

    def _add_labels(self, count, labels):
        if len(self) and (labels is None) != (self._labels is None):
            raise ValueError("labels must be given for every add or for none: "
                             f"the index holds {len(self)} vectors {'with' if self._labels is not None else 'without'} labels")
        if labels is None:
            return
        labels = np.asarray(labels)
        if labels.shape != (count,) or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(f"labels must be {count} integers, one per vector, got shape {labels.shape} "
                             f"and dtype {labels.dtype}")
        labels = labels.astype(np.int64)
        self._labels = labels if self._labels is None else np.concatenate([self._labels, labels])

    def add(self, vectors, labels=None):
        """Store ``vectors`` (n, dim); they get ids ``len(self) ... len(self) + n - 1``.

        Args:
            vectors: finite array ``(n, dim)``.
            labels: optional ``n`` integer labels (for k-NN classification and metrics).

        Returns:
            ``self``.
        """
        vectors = self._prepare(vectors, "vectors")
        if len(vectors) == 0:
            raise ValueError("vectors is empty: nothing to add")
        self._add_labels(len(vectors), labels)
        self._add(vectors)
        return self

    def search(self, queries, k):
        """The ``k`` stored vectors most similar to each query, best first.

        Args:
            queries: finite array ``(q, dim)``.
            k: neighbours per query, ``1 <= k <= len(self)``.

        Returns:
            ``(scores, ids)``: float32 and int64 arrays ``(q, k)``; ``scores`` is the
            cosine (or inner product) of each query with each neighbour.
        """
        if len(self) == 0:
            raise ValueError("the index is empty: add vectors before searching")
        if isinstance(k, bool) or not isinstance(k, numbers.Integral):
            raise TypeError(f"k must be an int in [1, {len(self)}], got {k!r}")
        if not 1 <= k <= len(self):
            raise ValueError(f"k must be in [1, {len(self)}] (the index holds {len(self)} vectors), got {k}")
        queries = self._prepare(queries, "queries")
        return self._search(queries, int(k))

    def labels_of(self, ids):
        """The stored labels at ``ids`` (any shape)."""
        if self._labels is None:
            raise ValueError("the index was built without labels (pass labels= to add)")
        return self._labels[np.asarray(ids)]

    def save(self, path, *, overwrite=False):
        """Write the index to ``path`` (a ``.npz`` file); ``load_index`` reads it back.

        An existing file is kept unless ``overwrite=True``.
        """
        boolean(overwrite, "overwrite")
        path = Path(path)
        if path.exists() and not overwrite:
            raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
        arrays = {"format": np.int64(_FORMAT), "kind": np.str_(self.kind), "dim": np.int64(self.dim),
                  "metric": np.str_(self.metric), **self._state()}
        if self._labels is not None:
            arrays["labels"] = self._labels
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        path.write_bytes(buffer.getvalue())
        return path


class ExactIndex(_Index):
    """Exact k-nearest-neighbour search: one matrix product per block of queries.

    Args:
        dim: length of every vector.
        metric: "cosine" (vectors are L2-normalised when added and searched) or
            "inner_product".

    Example:
        >>> index = ExactIndex(2).add([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
        >>> index.search([[1.0, 0.1]], k=2)[1].tolist()
        [[0, 2]]
    """

    kind = "exact"

    def __init__(self, dim, metric="cosine"):
        super().__init__(dim, metric)
        self._vectors = np.zeros((0, self.dim), np.float32)

    @property
    def ntotal(self):
        return len(self._vectors)

    def _add(self, vectors):
        self._vectors = np.concatenate([self._vectors, vectors])

    def _search(self, queries, k):
        scores = np.empty((len(queries), k), np.float32)
        ids = np.empty((len(queries), k), np.int64)
        rows = max(1, _SCORE_BUDGET // len(self))
        for start in range(0, len(queries), rows):
            block = queries[start:start + rows] @ self._vectors.T
            # Top k without sorting every row; ties go to the lower id.
            part = np.argpartition(-block, k - 1, axis=1)[:, :k] if k < block.shape[1] else \
                np.broadcast_to(np.arange(block.shape[1]), block.shape)
            top = np.take_along_axis(block, part, axis=1)
            order = np.lexsort((part, -top), axis=1)
            ids[start:start + rows] = np.take_along_axis(part, order, axis=1)
            scores[start:start + rows] = np.take_along_axis(top, order, axis=1)
        return scores, ids

    def _state(self):
        return {"vectors": self._vectors}

    @classmethod
    def _restore(cls, arrays, dim, metric):
        index = cls(dim, metric)
        index._vectors = np.asarray(arrays["vectors"], np.float32).reshape(-1, dim)
        return index


def _faiss():
    try:
        import faiss
    except ImportError as err:
        raise ImportError("FaissIndex needs FAISS: pip install 'cnnlab[faiss]' (the faiss-cpu wheel)") from err
    return faiss


class FaissIndex(_Index):
    """The same interface as :class:`ExactIndex` on FAISS (Johnson et al. 2019).

    Args:
        dim: length of every vector.
        metric: "cosine" or "inner_product" (FAISS' ``METRIC_INNER_PRODUCT`` on
            normalised or raw vectors).
        kind: "flat", exact search (``IndexFlatIP``), the same neighbours as
            ``ExactIndex``; or "ivf", an inverted file (``IndexIVFFlat``) that
            clusters the vectors into ``nlist`` cells when first filled and scans
            only the ``nprobe`` cells nearest each query: approximate, much faster
            on millions of vectors (an id is -1 where the probed cells hold fewer
            than ``k`` vectors).
        nlist: cells of the "ivf" index; the first ``add`` must bring at least
            ``nlist`` vectors to train them.
        nprobe: cells searched per query ("ivf").
    """

    kind = "faiss"

    def __init__(self, dim, metric="cosine", *, kind="flat", nlist=100, nprobe=8):
        super().__init__(dim, metric)
        self.index_kind = choice(kind, "kind", FAISS_KINDS)
        self.nlist = positive_int(nlist, "nlist")
        self.nprobe = positive_int(nprobe, "nprobe")
        faiss = _faiss()
        if self.index_kind == "flat":
            self._index = faiss.IndexFlatIP(self.dim)
        else:
            self._quantizer = faiss.IndexFlatIP(self.dim)
            self._index = faiss.IndexIVFFlat(self._quantizer, self.dim, self.nlist, faiss.METRIC_INNER_PRODUCT)
            self._index.nprobe = self.nprobe

    def __repr__(self):
        return f"FaissIndex(dim={self.dim}, metric={self.metric!r}, kind={self.index_kind!r}, size={len(self)})"

    @property
    def ntotal(self):
        return int(self._index.ntotal)

    def _add(self, vectors):
        if not self._index.is_trained:
            if len(vectors) < self.nlist:
                raise ValueError(f"an 'ivf' index with nlist={self.nlist} must first be given at least "
                                 f"{self.nlist} vectors to train its cells, got {len(vectors)}")
            self._index.train(vectors)
        self._index.add(np.ascontiguousarray(vectors))

    def _search(self, queries, k):
        scores, ids = self._index.search(np.ascontiguousarray(queries), k)
        return scores.astype(np.float32), ids.astype(np.int64)

    def _state(self):
        faiss = _faiss()
        return {"faiss_index": faiss.serialize_index(self._index), "index_kind": np.str_(self.index_kind),
                "nlist": np.int64(self.nlist), "nprobe": np.int64(self.nprobe)}

    @classmethod
    def _restore(cls, arrays, dim, metric):
        faiss = _faiss()
        index = cls(dim, metric, kind=str(arrays["index_kind"]), nlist=int(arrays["nlist"]),
                    nprobe=int(arrays["nprobe"]))
        index._index = faiss.deserialize_index(np.asarray(arrays["faiss_index"], np.uint8))
        if index.index_kind == "ivf":
            faiss.extract_index_ivf(index._index).nprobe = index.nprobe
        return index


_KINDS = {"exact": ExactIndex, "faiss": FaissIndex}


def load_index(path, *, dim=None):
    """Read an index written by ``save``.

    Args:
        path: the ``.npz`` file.
        dim: the embedding dimension the caller will use; a saved index of another
            dimension raises ``ValueError`` here rather than at the first search.

    Returns:
        An :class:`ExactIndex` or :class:`FaissIndex`.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no saved index at {path}")
    try:
        with np.load(path, allow_pickle=False) as arrays:
            arrays = dict(arrays)
    except (ValueError, OSError) as err:
        raise ValueError(f"{path} is not an index written by cnnlab.retrieval ({err})") from err
    if "kind" not in arrays or str(arrays["kind"]) not in _KINDS or int(arrays.get("format", -1)) != _FORMAT:
        raise ValueError(f"{path} is not an index written by cnnlab.retrieval (format {_FORMAT})")
    saved_dim = int(arrays["dim"])
    if dim is not None and positive_int(dim, "dim") != saved_dim:
        raise ValueError(f"the index saved at {path} holds {saved_dim}-dimensional vectors, "
                         f"but dim={dim} was expected (was it built with another backbone?)")
    index = _KINDS[str(arrays["kind"])]._restore(arrays, saved_dim, str(arrays["metric"]))
    if "labels" in arrays:
        index._labels = np.asarray(arrays["labels"], np.int64)
    return index


def knn_classify(index, queries, k=5):
    """Label each query by a vote of its ``k`` nearest stored vectors.

    Ties between classes go to the one whose tied neighbours are more similar in
    total (then to the smaller label).

    Args:
        index: an index built with ``labels``.
        queries: array ``(q, dim)``.
        k: neighbours that vote.

    Returns:
        int64 array ``(q,)`` of predicted labels.
    """
    scores, ids = index.search(queries, k)
    votes = index.labels_of(ids)
    classes = np.unique(votes)
    counts = (votes[:, :, None] == classes).sum(axis=1)
    weight = np.where(votes[:, :, None] == classes, scores[:, :, None], 0.0).sum(axis=1)
    best = counts == counts.max(axis=1, keepdims=True)
    return classes[np.argmax(np.where(best, weight, -np.inf), axis=1)]
