"""cnnlab.retrieval's indexes: exact search against a full sort, FAISS against exact
search, save/load, k-NN classification against scikit-learn, and every bad input."""

import numpy as np
import pytest
from sklearn.metrics.pairwise import cosine_similarity as sk_cosine
from sklearn.neighbors import KNeighborsClassifier

from cnnlab import retrieval
from cnnlab.retrieval import ExactIndex, FaissIndex, load_index

faiss = pytest.importorskip("faiss")


def _data(n=500, q=20, d=16, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)).astype(np.float32), rng.normal(size=(q, d)).astype(np.float32)


def _oracle(vectors, queries, k, metric="cosine"):
    scores = sk_cosine(queries, vectors) if metric == "cosine" else queries.astype(np.float64) @ vectors.T
    ids = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(scores, ids, axis=1), ids


@pytest.mark.parametrize("metric", ["cosine", "inner_product"])
@pytest.mark.parametrize("k", [1, 7, 500])
def test_exact_search_equals_a_full_sort(metric, k):
    vectors, queries = _data()
    scores, ids = ExactIndex(16, metric).add(vectors).search(queries, k)
    want_scores, want_ids = _oracle(vectors, queries, k, metric)
    np.testing.assert_array_equal(ids, want_ids)
    np.testing.assert_allclose(scores, want_scores, rtol=1e-5, atol=1e-5)
    assert scores.dtype == np.float32 and ids.dtype == np.int64


def test_exact_search_in_chunks_gives_the_same_answer(monkeypatch):
    from cnnlab.retrieval import index as module

    vectors, queries = _data(q=50)
    whole = ExactIndex(16).add(vectors).search(queries, 5)
    monkeypatch.setattr(module, "_SCORE_BUDGET", 1000)  # two queries per block
    parts = ExactIndex(16).add(vectors).search(queries, 5)
    np.testing.assert_array_equal(whole[1], parts[1])


def test_exact_ties_go_to_the_lower_id():
    index = ExactIndex(2).add([[1.0, 0.0], [0.0, 1.0], [2.0, 0.0], [1.0, 0.0]])
    assert index.search([[1.0, 0.0]], 3)[1].tolist() == [[0, 2, 3]]


@pytest.mark.parametrize("metric", ["cosine", "inner_product"])
def test_faiss_flat_returns_the_exact_neighbours(metric):
    vectors, queries = _data(n=2000, q=50, d=32, seed=1)
    exact = ExactIndex(32, metric).add(vectors).search(queries, 10)
    flat = FaissIndex(32, metric).add(vectors).search(queries, 10)
    np.testing.assert_array_equal(flat[1], exact[1])
    np.testing.assert_allclose(flat[0], exact[0], rtol=1e-5, atol=1e-5)


def test_faiss_ivf_probing_every_cell_is_exact_and_a_few_cells_nearly():
    vectors, queries = _data(n=3000, q=40, d=16, seed=2)
    exact = ExactIndex(16).add(vectors).search(queries, 10)[1]
    every = FaissIndex(16, kind="ivf", nlist=16, nprobe=16).add(vectors).search(queries, 10)[1]
    np.testing.assert_array_equal(every, exact)
    few = FaissIndex(16, kind="ivf", nlist=16, nprobe=4).add(vectors).search(queries, 10)[1]
    overlap = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(few, exact)])
    assert 0.6 < overlap < 1.0


@pytest.mark.parametrize("make", [lambda: ExactIndex(16), lambda: FaissIndex(16)], ids=["exact", "faiss"])
def test_adding_in_parts_numbers_ids_in_order(make):
    vectors, queries = _data()
    whole = make().add(vectors)
    parts = make().add(vectors[:200], labels=np.zeros(200, int)).add(vectors[200:], labels=np.ones(300, int))
    assert len(parts) == 500
    np.testing.assert_array_equal(parts.search(queries, 5)[1], whole.search(queries, 5)[1])
    assert parts.labels.tolist() == [0] * 200 + [1] * 300
    assert parts.labels_of([[0, 499]]).tolist() == [[0, 1]]


@pytest.mark.parametrize("make", [lambda: ExactIndex(16), lambda: FaissIndex(16),
                                  lambda: FaissIndex(16, kind="ivf", nlist=8, nprobe=3)],
                         ids=["exact", "faiss-flat", "faiss-ivf"])
def test_save_and_load_round_trip(tmp_path, make):
    vectors, queries = _data()
    index = make().add(vectors, labels=np.arange(500) % 3)
    path = index.save(tmp_path / "index.npz")
    again = load_index(path, dim=16)
    assert type(again) is type(index) and len(again) == 500 and again.metric == index.metric
    np.testing.assert_array_equal(again.search(queries, 8)[1], index.search(queries, 8)[1])
    np.testing.assert_array_equal(again.labels, index.labels)


def test_save_never_overwrites_unless_told(tmp_path):
    path = tmp_path / "index.npz"
    path.write_text("my notes")
    index = ExactIndex(2).add([[1.0, 0.0]])
    with pytest.raises(FileExistsError, match="overwrite=True"):
        index.save(path)
    assert path.read_text() == "my notes"
    index.save(path, overwrite=True)
    assert len(load_index(path)) == 1


def test_load_rejects_another_dimension_and_foreign_files(tmp_path):
    path = ExactIndex(8).add(np.eye(8)).save(tmp_path / "eight.npz")
    with pytest.raises(ValueError, match="holds 8-dimensional vectors, but dim=16"):
        load_index(path, dim=16)
    with pytest.raises(ValueError, match="dimension 8"):
        load_index(path).search(np.ones((1, 16)), 1)
    np.savez(tmp_path / "other.npz", x=np.ones(3))
    with pytest.raises(ValueError, match="not an index written by cnnlab.retrieval"):
        load_index(tmp_path / "other.npz")
    (tmp_path / "text.npz").write_text("not a zip")
    with pytest.raises(ValueError, match="not an index"):
        load_index(tmp_path / "text.npz")
    with pytest.raises(FileNotFoundError, match="no saved index"):
        load_index(tmp_path / "missing.npz")


@pytest.mark.parametrize("make", [lambda: ExactIndex(4), lambda: FaissIndex(4)], ids=["exact", "faiss"])
def test_bad_input_is_named(make):
    index = make()
    with pytest.raises(ValueError, match="the index is empty"):
        index.search(np.ones((1, 4)), 1)
    with pytest.raises(ValueError, match="must have dimension 4"):
        index.add(np.ones((3, 5)))
    index.add(np.eye(4), labels=[0, 1, 2, 3])
    with pytest.raises(ValueError, match="must have dimension 4"):
        index.search(np.ones((2, 3)), 1)
    with pytest.raises(ValueError, match=r"k must be in \[1, 4\] \(the index holds 4 vectors\), got 5"):
        index.search(np.ones((1, 4)), 5)
    with pytest.raises(ValueError, match="k must be in"):
        index.search(np.ones((1, 4)), 0)
    with pytest.raises(TypeError, match="k must be an int"):
        index.search(np.ones((1, 4)), True)
    with pytest.raises(ValueError, match="must be finite: row 1"):
        index.search(np.array([[1, 0, 0, 0], [np.nan, 0, 0, 0]]), 1)
    with pytest.raises(ValueError, match="must be finite"):
        index.add(np.full((1, 4), np.inf), labels=[0])
    with pytest.raises(ValueError, match="all-zero row"):
        index.search(np.zeros((1, 4)), 1)
    with pytest.raises(ValueError, match="2-D array"):
        index.search(np.ones(4), 1)
    with pytest.raises(TypeError, match="numeric array"):
        index.add(np.array([["a", "b", "c", "d"]]))
    with pytest.raises(ValueError, match="labels must be given for every add or for none"):
        index.add(np.eye(4))
    with pytest.raises(ValueError, match="labels must be 2 integers"):
        index.add(np.eye(4)[:2], labels=[1])
    with pytest.raises(ValueError, match="vectors is empty"):
        index.add(np.zeros((0, 4)))
    assert len(index) == 4


def test_constructor_arguments_are_checked():
    with pytest.raises(ValueError, match="metric must be one of 'cosine', 'inner_product'"):
        ExactIndex(4, "l1")
    with pytest.raises(TypeError, match="dim must be an int"):
        ExactIndex(4.0)
    with pytest.raises(ValueError, match="kind must be one of 'flat', 'ivf'"):
        FaissIndex(4, kind="hnsw")
    with pytest.raises(ValueError, match="at least 8 vectors to train"):
        FaissIndex(4, kind="ivf", nlist=8).add(np.eye(4))
    with pytest.raises(ValueError, match="built without labels"):
        ExactIndex(2).add(np.eye(2)).labels_of([0])


@pytest.mark.parametrize("k", [1, 5])
def test_knn_classification_equals_scikit_learn(k):
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(2, 8)) * 2
    labels = rng.integers(0, 2, 300)
    vectors = centres[labels] + rng.normal(size=(300, 8))
    queries = centres[rng.integers(0, 2, 60)] + rng.normal(size=(60, 8))
    index = ExactIndex(8).add(vectors, labels=labels)
    reference = KNeighborsClassifier(n_neighbors=k, metric="cosine", algorithm="brute").fit(vectors, labels)
    np.testing.assert_array_equal(retrieval.knn_classify(index, queries, k), reference.predict(queries))


def test_knn_ties_go_to_the_more_similar_class():
    index = ExactIndex(2).add([[1.0, 0.0], [0.0, 1.0]], labels=[7, 3])
    assert retrieval.knn_classify(index, [[1.0, 0.2], [0.2, 1.0]], k=2).tolist() == [7, 3]


def test_cosine_similarity_and_normalisation():
    a = np.array([[3.0, 4.0], [1.0, 0.0]])
    np.testing.assert_allclose(retrieval.cosine_similarity(a, a), sk_cosine(a, a), rtol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(retrieval.l2_normalize(a), axis=1), 1.0, rtol=1e-6)
    with pytest.raises(ValueError, match="all-zero row"):
        retrieval.l2_normalize([[0.0, 0.0]])


def test_embed_pools_feature_maps_and_normalises():
    import keras

    inputs = keras.Input((6, 6, 2))
    conv = keras.layers.Conv2D(3, 3, padding="same", kernel_initializer="ones", bias_initializer="ones")
    model = keras.Model(inputs, conv(inputs))
    images = np.random.default_rng(0).random((5, 6, 6, 2)).astype(np.float32)
    maps = keras.ops.convert_to_numpy(model(images))
    np.testing.assert_allclose(retrieval.embed(model, images, batch_size=2, normalize=False),
                               maps.mean(axis=(1, 2)), rtol=1e-5)
    unit = retrieval.embed(model, images)
    np.testing.assert_allclose(np.linalg.norm(unit, axis=1), 1.0, rtol=1e-5)
    with pytest.raises(ValueError, match="4-D array"):
        retrieval.embed(model, images[0])
    with pytest.raises(ValueError, match="images is empty"):
        retrieval.embed(model, images[:0])
