"""The checkpoints of lessons 14 and 15 (registered in cnnlab.pretrained, whose own tests
run every recipe at reduced scale and re-measure every card): what the lessons claim
about them holds for the shipped weights."""

import keras
import numpy as np
import pytest

from cnnlab import data, detection, pretrained, retrieval
from cnnlab.pretrained.recipes import centernet_triangles

REGIMES = ("frozen", "finetuned", "scratch")


def _embedding_map(collection, collection_labels, queries, query_labels):
    index = retrieval.ExactIndex(collection.shape[1]).add(collection, labels=collection_labels)
    _, ids = index.search(queries, len(index))
    return retrieval.mean_average_precision(query_labels, index.labels_of(ids))


def test_the_digit_backbone_embeds_unseen_textures_better_than_pixels():
    textures = data.textures(image_size=32)
    backbone = pretrained.load("densenet-mini-digits")
    features = keras.Model(backbone.input, backbone.get_layer("features").output)
    frozen = _embedding_map(retrieval.embed(features, textures.x_train), textures.y_train,
                            retrieval.embed(features, textures.x_test), textures.y_test)
    pixels = _embedding_map(textures.x_train.reshape(len(textures.x_train), -1), textures.y_train,
                            textures.x_test.reshape(len(textures.x_test), -1), textures.y_test)
    assert frozen > pixels + 0.1
    assert pretrained.card("densenet-mini-digits")["metric"]["value"] > 0.97


def test_the_frozen_detector_kept_the_pre_trained_backbone_and_the_fine_tuned_one_moved():
    source = pretrained.load("densenet-mini-shapes")
    frozen, tuned, scratch = (pretrained.load(f"centernet-triangles-{r}") for r in REGIMES)
    layers = centernet_triangles.backbone_layers(frozen)
    assert layers == ["stem_conv", "dense_block1", "transition1", "dense_block2"]
    for name in layers:
        for kept, original in zip(frozen.get_layer(name).get_weights(), source.get_layer(name).get_weights()):
            np.testing.assert_array_equal(kept, original)
    moved = [not np.allclose(a, b) for a, b in zip(tuned.get_layer("stem_conv").get_weights(),
                                                   source.get_layer("stem_conv").get_weights())]
    assert all(moved)
    cards = {r: pretrained.card(f"centernet-triangles-{r}") for r in REGIMES}
    assert [cards[r]["training"]["backbone_learning_rate"] for r in REGIMES] == [0.0, 1e-4, 1e-3]
    assert cards["scratch"]["backbone"] is None and cards["frozen"]["backbone"] == "densenet-mini-shapes"


@pytest.mark.slow
def test_lesson_15s_ranking_holds_for_the_shipped_detectors():
    split = pretrained.get("centernet-triangles-frozen").data()
    truth = list(split.y_test)
    ap = {}
    for regime in REGIMES:
        boxes, scores = detection.detect(pretrained.load(f"centernet-triangles-{regime}"), split.x_test)
        ap[regime] = [detection.coco_average_precision(truth, boxes, scores, t) for t in (0.5, 0.75)]
    assert min(ap["frozen"][0], ap["finetuned"][0]) > ap["scratch"][0] + 0.1
    assert abs(ap["frozen"][0] - ap["finetuned"][0]) < 0.02
    assert ap["finetuned"][1] > ap["frozen"][1] + 0.05


def test_the_detector_recipe_trains_on_centernet_targets_of_the_scenes():
    split = pretrained.get("centernet-triangles-finetuned").data()
    scenes = data.scenes(500, 64, seed=1)
    np.testing.assert_array_equal(split.x_train, scenes.images)
    np.testing.assert_array_equal(split.y_train, detection.encode(scenes.target_boxes(), 64, 4))
    assert len(split.y_test) == 300 and split.class_names == ("triangle",)
