"""Detection scenes: reproducible, boxes are the tight boxes of what is drawn, shapes
never overlap, the target filter, and bad arguments named."""

import numpy as np
import pytest

from cnnlab.data import scenes
from cnnlab.detection import box_iou


def test_same_arguments_same_scenes():
    a, b = scenes(count=5, seed=4), scenes(count=5, seed=4)
    np.testing.assert_array_equal(a.images, b.images)
    assert all(np.array_equal(x, y) for x, y in zip(a.boxes, b.boxes))
    assert not np.array_equal(a.images, scenes(count=5, seed=5).images)


def test_boxes_are_tight_and_everything_else_is_background():
    data = scenes(count=30, seed=1, noise=0.0)
    for image, boxes in zip(data.images, data.boxes):
        corner = image[0, 0]
        outside = np.ones(image.shape[:2], bool)
        for x0, y0, x1, y1 in boxes.astype(int):
            inside = image[y0:y1, x0:x1]
            differs = np.any(inside != corner, axis=-1)
            # Every edge row and column of the box holds a pixel of the shape.
            assert differs[0].any() and differs[-1].any() and differs[:, 0].any() and differs[:, -1].any()
            outside[y0:y1, x0:x1] = False
        assert np.all(image[outside] == corner)


def test_shapes_never_overlap_and_counts_follow_the_arguments():
    data = scenes(count=200, seed=2, objects=(3, 4))
    counts = [len(b) for b in data.boxes]
    assert min(counts) >= 1 and max(counts) <= 4 and np.mean(counts) > 3
    for boxes in data.boxes:
        iou = box_iou(boxes, boxes)
        np.fill_diagonal(iou, 0)
        assert iou.max(initial=0) < 0.2
    assert data.images.dtype == np.float32 and 0 <= data.images.min() and data.images.max() <= 1


def test_target_boxes_keep_only_the_target_kind():
    data = scenes(count=100, seed=3, target="cross", distractors=("circle",), target_fraction=0.5)
    assert data.class_names == ("cross", "circle")
    targets = data.target_boxes()
    assert sum(len(t) for t in targets) == sum(int((k == 0).sum()) for k in data.kinds)
    fraction = sum(len(t) for t in targets) / sum(len(b) for b in data.boxes)
    assert 0.35 < fraction < 0.65
    assert any(len(t) == 0 for t in targets)  # some scenes hold no target
    only = scenes(count=3, seed=0, distractors=(), target_fraction=1.0)
    assert all(np.array_equal(t, b) for t, b in zip(only.target_boxes(), only.boxes))


@pytest.mark.parametrize("kwargs, message", [
    ({"target": "star"}, "target must be one of"),
    ({"distractors": ("triangle",)}, "distractors must be distinct kinds"),
    ({"objects": (3, 2)}, "objects must be a pair"),
    ({"radius": (1.0, 3.0)}, "radius must be a pair"),
    ({"radius": (5.0, 30.0)}, "does not fit"),
    ({"target_fraction": 1.5}, "target_fraction must be in"),
    ({"count": 0}, "count must be an int >= 1"),
    ({"noise": -1}, "noise must be a number >= 0"),
])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        scenes(**kwargs)
