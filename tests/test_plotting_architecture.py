"""Architecture diagrams: the drawn boxes and arrows are the model's layers and edges
(read independently from ``model.get_config()``), nothing overlaps, every arrow avoids
the boxes it does not connect, and drawing leaves the model as it was."""

import json

import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Bbox

from cnnlab import models
from cnnlab.layers import ResidualBlock
from cnnlab.plotting import model_graph, plot_architecture

L = keras.layers


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# ------------------------------------------------------------- the test models


def residual_block():
    """He et al.'s basic block with a projection shortcut, from Keras primitives."""
    x = keras.Input((16, 16, 32), name="x")
    y = L.Conv2D(64, 3, strides=2, padding="same", use_bias=False, name="conv_a")(x)
    y = L.BatchNormalization(name="bn_a")(y)
    y = L.ReLU(name="relu_a")(y)
    y = L.Conv2D(64, 3, padding="same", use_bias=False, name="conv_b")(y)
    y = L.BatchNormalization(name="bn_b")(y)
    s = L.Conv2D(64, 1, strides=2, use_bias=False, name="projection")(x)
    s = L.BatchNormalization(name="projection_bn")(s)
    out = L.ReLU(name="relu_out")(L.Add(name="add")([y, s]))
    return keras.Model(x, out, name="residual_block")


def inception_module():
    """GoogLeNet's module 3a: four branches, concatenated."""
    x = keras.Input((28, 28, 192), name="x")
    b1 = L.Conv2D(64, 1, activation="relu", name="b1_1x1")(x)
    b2 = L.Conv2D(96, 1, activation="relu", name="b2_reduce")(x)
    b2 = L.Conv2D(128, 3, padding="same", activation="relu", name="b2_3x3")(b2)
    b3 = L.Conv2D(16, 1, activation="relu", name="b3_reduce")(x)
    b3 = L.Conv2D(32, 5, padding="same", activation="relu", name="b3_5x5")(b3)
    b4 = L.MaxPooling2D(3, strides=1, padding="same", name="b4_pool")(x)
    b4 = L.Conv2D(32, 1, activation="relu", name="b4_proj")(b4)
    return keras.Model(x, L.Concatenate(name="concat")([b1, b2, b3, b4]), name="inception")


def dense_block():
    """Three dense layers: each sees the concatenation of everything before it."""
    x = keras.Input((8, 8, 16), name="x")
    features = x
    for i in range(3):
        y = L.BatchNormalization(name=f"bn{i}")(features)
        y = L.ReLU(name=f"relu{i}")(y)
        y = L.Conv2D(12, 3, padding="same", name=f"conv{i}")(y)
        features = L.Concatenate(name=f"concat{i}")([features, y])
    return keras.Model(x, features, name="dense_block")


def mbconv_se():
    """EfficientNet's MBConv with squeeze-and-excitation and an identity shortcut."""
    x = keras.Input((14, 14, 24), name="x")
    y = L.Conv2D(144, 1, use_bias=False, name="expand")(x)
    y = L.Activation("swish", name="expand_act")(L.BatchNormalization(name="expand_bn")(y))
    y = L.DepthwiseConv2D(3, padding="same", use_bias=False, name="depthwise")(y)
    y = L.Activation("swish", name="depthwise_act")(L.BatchNormalization(name="depthwise_bn")(y))
    s = L.GlobalAveragePooling2D(keepdims=True, name="squeeze")(y)
    s = L.Conv2D(6, 1, activation="swish", name="reduce")(s)
    s = L.Conv2D(144, 1, activation="sigmoid", name="excite")(s)
    y = L.Multiply(name="scale")([y, s])
    y = L.BatchNormalization(name="project_bn")(L.Conv2D(24, 1, use_bias=False, name="project")(y))
    return keras.Model(x, L.Add(name="add")([x, y]), name="mbconv")


def aspp():
    """DeepLab v3's ASPP: a 1x1, three dilated 3x3 and an image-pooling branch."""
    x = keras.Input((16, 16, 64), name="x")
    branches = [L.Conv2D(32, 1, name="aspp_1x1")(x)]
    for rate in (2, 4, 6):
        branches.append(L.Conv2D(32, 3, padding="same", dilation_rate=rate, name=f"aspp_rate{rate}")(x))
    pooled = L.GlobalAveragePooling2D(keepdims=True, name="image_pool")(x)
    pooled = L.Conv2D(32, 1, name="image_conv")(pooled)
    branches.append(L.UpSampling2D(16, name="image_upsample")(pooled))
    y = L.Concatenate(name="concat")(branches)
    return keras.Model(x, L.Conv2D(32, 1, name="project")(y), name="aspp")


MODELS = {
    "residual block": residual_block,
    "inception module": inception_module,
    "dense block": dense_block,
    "MBConv with SE": mbconv_se,
    "ASPP": aspp,
    "U-Net": lambda: models.unet(3, input_shape=(32, 32, 3), depth=2, base_filters=8),
    "FCN-8s": lambda: models.fcn(3, input_shape=(32, 32, 3), variant="8s"),
}


# ------------------------------------------------------------------ helpers


def config_graph(model):
    """Layer names and (source, target) edges as Keras serialises them: an oracle
    independent of the graph walk that the diagram uses."""
    def tensors(value):
        if isinstance(value, dict):
            if value.get("class_name") == "__keras_tensor__":
                yield value["config"]["keras_history"][0]
            else:
                for item in value.values():
                    yield from tensors(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                yield from tensors(item)

    config = model.get_config()
    names = [layer["name"] for layer in config["layers"]]
    edges = {(source, layer["name"]) for layer in config["layers"]
             for node in layer["inbound_nodes"] for source in tensors(node["args"])}
    return names, edges


def drawn(fig):
    ax = fig.axes[0]
    boxes = {p.get_gid()[4:]: p for p in ax.patches
             if isinstance(p, FancyBboxPatch) and (p.get_gid() or "").startswith("box:")}
    arrows = {p.get_gid()[5:]: p for p in ax.patches
              if isinstance(p, FancyArrowPatch) and (p.get_gid() or "").startswith("edge:")}
    names = {t.get_gid()[5:]: t for t in ax.texts if (t.get_gid() or "").startswith("name:")}
    return ax, boxes, arrows, names


def extents(fig, artists):
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    return {key: artist.get_window_extent(renderer) for key, artist in artists.items()}


def assert_readable(fig):
    """No two boxes overlap, every label lies inside its box, and every arrow keeps
    clear of every box other than its two ends."""
    ax, boxes, arrows, _ = drawn(fig)
    box_px = extents(fig, boxes)
    keys = sorted(box_px)
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            assert not box_px[a].shrunk(0.999, 0.999).overlaps(box_px[b]), f"boxes {a} and {b} overlap"
    texts = {t.get_gid(): t for t in ax.texts if t.get_gid()}
    text_px = extents(fig, texts)
    for gid, extent in text_px.items():
        key = gid.split(":", 1)[1]
        assert box_px[key].padded(0.5).contains(extent.x0, extent.y0), gid
        assert box_px[key].padded(0.5).contains(extent.x1, extent.y1), gid
    to_data = ax.transData.inverted()
    data_boxes = {k: Bbox(to_data.transform(v.get_points())) for k, v in box_px.items()}
    for edge, arrow in arrows.items():
        source, target = edge.split("->")
        # The drawn line and its head, as polylines (to_polygons resolves the closing
        # code of the head, whose stored vertex is meaningless).
        lines = [MplPath(points) for points in arrow.get_path().to_polygons(closed_only=False)]
        for key, box in data_boxes.items():
            if key not in (source, target):
                inner = Bbox.from_extents(*box.shrunk(0.98, 0.98).extents)
                assert not any(line.intersects_bbox(inner, filled=False) for line in lines), \
                    f"arrow {edge} crosses box {key}"


def model_state(model):
    return (json.dumps(model.get_config(), sort_keys=True, default=str),
            [np.array(keras.ops.convert_to_numpy(w)) for w in model.weights],
            [len(op._inbound_nodes) for op in model.operations], len(model.layers))


# -------------------------------------------------------------------- tests


@pytest.mark.parametrize("name", sorted(MODELS))
def test_boxes_and_arrows_are_the_layers_and_edges(name):
    model = MODELS[name]()
    names, edges = config_graph(model)
    fig = plot_architecture(model)
    _, boxes, arrows, texts = drawn(fig)
    assert sorted(boxes) == sorted(names)
    assert len(names) == len(model.operations)
    assert {tuple(e.split("->")) for e in arrows} == edges
    assert len(arrows) == len(edges)
    assert {k: t.get_text() for k, t in texts.items()} == {n: n for n in names}
    assert_readable(fig)


@pytest.mark.parametrize("name", ["residual block", "U-Net"])
def test_left_to_right_is_the_same_graph_and_readable(name):
    model = MODELS[name]()
    names, edges = config_graph(model)
    fig = plot_architecture(model, direction="LR", show_params=True)
    _, boxes, arrows, _ = drawn(fig)
    assert sorted(boxes) == sorted(names) and len(arrows) == len(edges)
    assert_readable(fig)


def test_parallel_branches_sit_side_by_side_in_argument_order():
    fig = plot_architecture(inception_module())
    _, boxes, _, _ = drawn(fig)
    px = extents(fig, boxes)
    first = ["b1_1x1", "b2_reduce", "b3_reduce", "b4_pool"]
    # One row (same top), left to right as the code wrote them and concat lists them.
    assert len({round(px[k].y1, 3) for k in first}) == 1
    assert [px[k].x0 for k in first] == sorted(px[k].x0 for k in first)
    assert px["x"].y0 > px["b1_1x1"].y1 > px["b2_3x3"].y1 > px["concat"].y1  # top to bottom


def test_the_shortcut_runs_beside_the_convolutions():
    fig = plot_architecture(residual_block())
    _, boxes, _, _ = drawn(fig)
    px = extents(fig, boxes)
    main = ["conv_a", "bn_a", "relu_a", "conv_b", "bn_b"]
    side = ["projection", "projection_bn"]
    assert max(px[k].x1 for k in main) < min(px[k].x0 for k in side)
    centres = [px[k].x0 + px[k].width / 2 for k in main]
    assert np.ptp(centres) < 0.25 * px["conv_a"].width  # the main path is (nearly) straight


def test_labels_show_type_configuration_shape_and_parameters():
    model = residual_block()
    fig = plot_architecture(model, show_params=True)
    info = {t.get_gid()[5:]: t.get_text() for t in fig.axes[0].texts if (t.get_gid() or "").startswith("info:")}
    assert info["conv_a"] == "Conv2D 3x3, 64, /2\n8x8x64\n18,432 params"
    assert info["add"] == "Add\n8x8x64\n0 params"
    assert info["x"].startswith("InputLayer\n16x16x32")
    bare = plot_architecture(model, show_shapes=False, show_types=False)
    assert not [t for t in bare.axes[0].texts if (t.get_gid() or "").startswith("info:")]


def test_drawing_does_not_change_the_model():
    model = models.unet(3, input_shape=(32, 32, 3), depth=2, base_filters=8)
    x = np.random.default_rng(0).random((2, 32, 32, 3), dtype=np.float32)
    before, output = model_state(model), keras.ops.convert_to_numpy(model(x))
    plot_architecture(model, expand_nested=True, collapse=["enc0", "dec0"])
    model_graph(model, collapse=lambda key: "head" if key == "classifier" else None)
    after = model_state(model)
    assert before[0] == after[0] and before[2:] == after[2:]
    for a, b in zip(before[1], after[1]):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(model(x)), output)


def _stacked():
    """Two residual blocks as nested models, then a library ResidualBlock layer."""
    inner = residual_block()
    x = keras.Input((16, 16, 32), name="image")
    y = inner(x)
    y = ResidualBlock(64, name="library_block")(y)
    y = L.GlobalAveragePooling2D(name="pool")(y)
    return keras.Model(x, L.Dense(10, name="logits")(y)), inner


def test_nested_models_are_one_box_or_opened():
    model, inner = _stacked()
    closed = model_graph(model)
    assert [n.key for n in closed.nodes] == ["image", "residual_block", "library_block", "pool", "logits"]
    assert closed.node("residual_block").kind == "Model"
    assert closed.node("residual_block").params == inner.count_params()
    opened = model_graph(model, expand_nested=True)
    inner_names, inner_edges = config_graph(inner)
    inner_keys = {f"residual_block/{n}" for n in inner_names if n != "x"}
    assert inner_keys <= {n.key for n in opened.nodes}
    assert len(opened.nodes) == len(closed.nodes) - 1 + len(inner_names) - 1
    # The outer input feeds the nested model's first layers directly.
    assert ("image", "residual_block/conv_a") in opened.edges
    assert ("image", "residual_block/projection") in opened.edges
    assert ("residual_block/relu_out", "library_block") in opened.edges
    assert len(opened.edges) == len(inner_edges) - 2 + 2 + 3
    assert_readable(plot_architecture(model, expand_nested=True))


def test_a_shared_layer_is_one_box_per_call():
    shared = L.Dense(8, name="shared")
    a, b = keras.Input((4,), name="a"), keras.Input((4,), name="b")
    model = keras.Model([a, b], L.Add(name="add")([shared(a), shared(b)]))
    graph = model_graph(model)
    assert [n.key for n in graph.nodes] == ["a", "shared#1", "b", "shared#2", "add"]
    assert graph.node("shared#1").params == 40 and graph.node("shared#2").params is None
    assert "shared x2" in graph.node("shared#2").detail
    assert_readable(plot_architecture(model))


def test_collapse_merges_named_blocks():
    model = models.unet(3, input_shape=(32, 32, 3), depth=2, base_filters=8)
    prefixes = ["enc0", "enc1", "bottleneck", "dec1", "dec0"]
    graph = model_graph(model, collapse=prefixes)
    assert graph.nodes[0].kind == "InputLayer"
    assert [n.key for n in graph.nodes][1:] == [*prefixes, "classifier"]
    enc0 = graph.node("enc0")
    members = [layer for layer in model.layers if layer.name.startswith("enc0")]
    assert enc0.kind == "Block" and set(enc0.members) == {layer.name for layer in members}
    assert enc0.params == sum(layer.count_params() for layer in members)
    # enc0 hands on its pooled map and, through the skip, its full-resolution features.
    assert sorted(enc0.shapes) == [(16, 16, 8), (32, 32, 8)]
    assert ("enc0", "dec0") in graph.edges and ("enc0", "enc1") in graph.edges
    fig = plot_architecture(model, collapse=prefixes)
    assert len(drawn(fig)[1]) == len(graph.nodes) and len(drawn(fig)[2]) == len(graph.edges)
    assert_readable(fig)


def test_collapse_refuses_a_block_that_is_not_contiguous():
    # "conv" would merge conv_a, conv_b and not the BN/ReLU between them: a cycle.
    with pytest.raises(ValueError, match="not contiguous"):
        model_graph(residual_block(), collapse=["conv"])


def test_draws_into_given_axes_scaled_to_fit():
    fig, axes = plt.subplots(1, 2, figsize=(8, 5))
    plot_architecture(residual_block(), ax=axes[0], title="projection shortcut")
    plot_architecture(inception_module(), ax=axes[1])
    for ax in axes:
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        frame = ax.get_window_extent(renderer)
        for patch in ax.patches:
            assert frame.padded(1).contains(*patch.get_window_extent(renderer).p0)
            assert frame.padded(1).contains(*patch.get_window_extent(renderer).p1)


def test_sequential_and_bad_input():
    seq = keras.Sequential([keras.Input((8, 8, 1)), L.Conv2D(2, 3, name="c"), L.Flatten(name="f")])
    assert [n.name for n in model_graph(seq).nodes][1:] == ["c", "f"]
    with pytest.raises(ValueError, match="not built"):
        model_graph(keras.Sequential([L.Dense(2)]))

    class Subclassed(keras.Model):
        def call(self, x):
            return x

    with pytest.raises(TypeError, match="functional"):
        plot_architecture(Subclassed())
    with pytest.raises(ValueError, match="direction"):
        plot_architecture(residual_block(), direction="BT")
    with pytest.raises(TypeError, match="show_params"):
        plot_architecture(residual_block(), show_params="yes")
    with pytest.raises(TypeError, match="collapse"):
        model_graph(residual_block(), collapse="conv")
