"""Figures of lessons 14 and 15: what they draw (axes, boxes, frames) and bad input named."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.patches as patches  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnnlab import plotting  # noqa: E402


def _rectangles(ax):
    return [p for p in ax.patches if isinstance(p, patches.Rectangle)]


def test_detections_draw_one_rectangle_per_box_and_a_score_each():
    images = np.zeros((3, 16, 16, 3))
    truth = [np.array([[1, 1, 5, 5]]), np.zeros((0, 4)), np.array([[0, 0, 2, 2], [3, 3, 9, 9]])]
    boxes = [np.array([[1, 1, 6, 6]]), np.array([[2, 2, 4, 4]]), np.zeros((0, 4))]
    fig = plotting.plot_detections(images, truth=truth, boxes=boxes, scores=[[0.9], [0.4], []], ncols=2)
    axes = fig.axes
    assert len(axes) == 4 and not axes[3].images
    assert [len(_rectangles(ax)) for ax in axes[:3]] == [2, 1, 2]
    assert [t.get_text() for t in axes[0].texts] == ["0.90"]
    # Pixel edges: a box from column 1 to 6 is drawn from -0.5 + 1.
    assert _rectangles(axes[0])[1].get_xy() == (0.5, 0.5) and _rectangles(axes[0])[1].get_width() == 5
    plt.close(fig)
    with pytest.raises(ValueError, match="one entry per image"):
        plotting.plot_detections(images, truth=truth[:2])
    with pytest.raises(ValueError, match=r"\(n, H, W, C\)"):
        plotting.plot_detections(images[0])


def test_heatmap_panel_marks_centres():
    fig = plotting.plot_heatmap(np.zeros((16, 16, 3)), np.zeros((4, 4)), truth=np.array([[2, 2, 6, 10]]))
    left, right = fig.axes
    assert len(_rectangles(left)) == 1
    np.testing.assert_allclose(right.collections[0].get_offsets(), [[3.5, 5.5]])
    plt.close(fig)
    with pytest.raises(ValueError, match="heatmap must be 2-D"):
        plotting.plot_heatmap(np.zeros((16, 16, 3)), np.zeros((4, 4, 1)))


def test_neighbour_grid_frames_the_wrong_ones_red():
    queries, neighbours = np.zeros((2, 8, 8, 1)), np.zeros((2, 3, 8, 8, 1))
    fig = plotting.plot_neighbours(queries, neighbours, query_labels=np.array([0, 1]),
                                   neighbour_labels=np.array([[0, 1, 0], [1, 1, 1]]), scores=np.ones((2, 3)),
                                   class_names=("a", "b"))
    axes = np.array(fig.axes).reshape(2, 4)
    red = [[ax.spines["top"].get_edgecolor()[:3] == (1.0, 0.0, 0.0) for ax in row[1:]] for row in axes]
    assert red == [[False, True, False], [False, False, False]]
    assert axes[0, 0].get_title() == "query: a"
    plt.close(fig)
    with pytest.raises(ValueError, match="neighbours"):
        plotting.plot_neighbours(queries, neighbours[0])


def test_embedding_map_has_one_group_per_class():
    points = np.random.default_rng(0).normal(size=(30, 2))
    fig = plotting.plot_embedding_map(points, np.arange(30) % 3, ("x", "y", "z"), title="map")
    ax = fig.axes[0]
    assert len(ax.collections) == 3 and [t.get_text() for t in ax.get_legend().get_texts()] == ["x", "y", "z"]
    plt.close(fig)
    with pytest.raises(ValueError, match=r"points must be \(n, 2\)"):
        plotting.plot_embedding_map(points[:, :1], np.zeros(30, int))
