"""Similar-image search: embeddings, nearest-neighbour indexes, retrieval metrics.

The intern's project of the lecture notes ("similar image classification") in four
steps::

    vectors = embed(backbone, images)              # one L2-normalised row per image
    index = ExactIndex(vectors.shape[1]); index.add(vectors, labels=labels)
    scores, ids = index.search(embed(backbone, queries), k=5)   # cosine, best first
    knn_classify(index, embed(backbone, queries), k=5)           # majority of the 5

``ExactIndex`` is a NumPy matrix product; ``FaissIndex`` (``pip install 'cnnlab[faiss]'``)
has the same interface on FAISS, exact (``kind="flat"``) or approximate (``kind="ivf"``)
for collections too large to scan. Only ``embed`` and the losses need Keras: the
indexes and metrics import NumPy alone.
"""
import importlib

from .embedding import cosine_similarity, embed, l2_normalize
from .index import ExactIndex, FaissIndex, load_index, knn_classify
from .metrics import average_precision, mean_average_precision, recall_at_k, relevance

_LOSSES = ("TripletLoss", "batch_hard_triplet_loss")


def __getattr__(name):
    if name in _LOSSES:
        return getattr(importlib.import_module(f"{__name__}.losses"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
