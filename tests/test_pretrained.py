"""The checkpoint registry: every recipe runs (at reduced scale) and gives loadable
weights; every shipped checkpoint still reproduces the metric its card states, on every
installed Keras backend; the package stays small."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import keras
import numpy as np
import pytest

from cnnlab import data, pretrained, transfer

ROOT = Path(__file__).resolve().parent.parent
NAMES = pretrained.names()
SHIPPED = pretrained.shipped()
CARD_KEYS = {"name", "description", "data", "training", "metric", "train_seconds", "machine", "versions", "weights"}


def check_card(card, name):
    assert CARD_KEYS <= set(card), f"card of {name} lacks {sorted(CARD_KEYS - set(card))}"
    recipe = pretrained.get(name)
    assert card["name"] == name and card["description"] == recipe.description
    assert card["data"]["source"] == recipe.data_source and card["data"]["test_size"] > 0
    assert card["training"]["seed"] == recipe.seed and card["training"]["scale"] > 0
    assert card["metric"]["name"] == recipe.metric_label and card["metric"]["split"] == "test"
    assert 0 <= card["metric"]["value"] <= 1 and card["metric"]["tolerance"] == recipe.tolerance
    assert card["train_seconds"] > 0
    assert {"python", "keras", "backend", "numpy"} <= set(card["versions"])
    assert card["weights"]["file"] == f"{recipe.stem}.weights.h5" and len(card["weights"]["sha256"]) == 64


def run_cli(*args, **kwargs):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run([sys.executable, "-m", "cnnlab.pretrained", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, **kwargs)


def test_every_registered_checkpoint_is_shipped():
    # A recipe without its trained weights and card is not finished.
    assert "cnnlab-mini" in NAMES
    assert SHIPPED == NAMES


@pytest.mark.slow
@pytest.mark.long_training
@pytest.mark.parametrize("name", NAMES)
def test_every_recipe_runs_at_reduced_scale_and_gives_loadable_weights(name, tmp_path):
    recipe = pretrained.get(name)
    trained = pretrained.train(name, scale=recipe.test_scale, out=tmp_path)
    card = pretrained.card(name, weights_dir=tmp_path)
    assert card == json.loads(json.dumps(trained.card))
    assert card["training"]["scale"] == recipe.test_scale
    check_card(card, name)
    loaded = pretrained.load(name, weights_dir=tmp_path)
    assert pretrained.weights_digest(loaded) == card["weights"]["sha256"] == pretrained.weights_digest(trained.model)
    x = recipe.data().x_test[:16]
    np.testing.assert_allclose(loaded.predict(x, verbose=0), trained.model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    assert pretrained.evaluate(name, weights_dir=tmp_path) == pytest.approx(card["metric"]["value"], abs=1e-4)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_checkpoint_reproduces_its_card(name):
    card = pretrained.card(name)
    check_card(card, name)
    model = pretrained.load(name)
    assert pretrained.weights_digest(model) == card["weights"]["sha256"]
    weights_file, _ = pretrained.paths(name)
    assert weights_file.stat().st_size == card["weights"]["bytes"]
    value = pretrained.evaluate(name)
    assert abs(value - card["metric"]["value"]) <= card["metric"]["tolerance"], (value, card["metric"])


def test_the_package_stays_under_20_megabytes():
    package = ROOT / "cnnlab"
    files = [p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    total = sum(p.stat().st_size for p in files)
    weights = sum(p.stat().st_size for p in (package / "weights").iterdir() if p.is_file())
    assert total < 20e6, f"cnnlab/ holds {total / 1e6:.1f} MB, of which weights {weights / 1e6:.1f} MB"


def test_cnnlab_mini_is_the_transfer_backbone():
    # transfer.backbone("cnnlab-mini") and the registry load the same weights.
    from_transfer = transfer.backbone("cnnlab-mini", include_top=True)
    from_registry = pretrained.load("cnnlab-mini")
    assert pretrained.weights_digest(from_transfer) == pretrained.weights_digest(from_registry)
    legacy = transfer.mini_card()
    card = pretrained.card("cnnlab-mini")
    assert legacy["test_accuracy"] == card["metric"]["value"] and legacy["test_size"] == card["data"]["test_size"]
    split = data.digits(**legacy["split"], classes=legacy["source_classes"])
    assert legacy["input_shape"] == list(split.x_train.shape[1:])


@pytest.mark.slow
def test_retrain_trains_live_and_writes_nothing():
    name = "cnnlab-mini"
    weights_file, card_file = pretrained.paths(name)
    before = (weights_file.stat().st_mtime_ns, card_file.read_bytes())
    model = pretrained.load(name, retrain=True, scale=pretrained.get(name).test_scale)
    assert isinstance(model, keras.Model)
    assert pretrained.weights_digest(model) != pretrained.card(name)["weights"]["sha256"]
    assert (weights_file.stat().st_mtime_ns, card_file.read_bytes()) == before


def test_a_recipe_without_weights_says_how_to_make_them(tmp_path):
    recipe = pretrained.Recipe(
        name="test-unshipped", description="A stand-in.", data_source="none",
        build=lambda: keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)]),
        data=lambda: data.digits(), fit=lambda model, split, scale: {})
    pretrained.register(recipe)
    try:
        assert "test-unshipped" not in pretrained.shipped()
        with pytest.raises(pretrained.CheckpointNotAvailableError, match="python -m cnnlab.pretrained train test-unshipped"):
            pretrained.load("test-unshipped")
        with pytest.raises(pretrained.CheckpointNotAvailableError, match="test_unshipped.json"):
            pretrained.card("test-unshipped")
    finally:
        pretrained.unregister("test-unshipped")
    assert "test-unshipped" not in pretrained.names()


def _segmentation_recipe(name, **kwargs):
    def build():
        inputs = keras.Input((16, 16, 3))
        return keras.Model(inputs, keras.layers.Conv2D(3, 3, padding="same")(inputs))

    def split():
        train = data.shapes(count=40, image_size=16, seed=0, classes=("circle", "square"))
        test = data.shapes(count=20, image_size=16, seed=1, classes=("circle", "square"))
        return data.Split(train.images, train.masks, test.images, test.masks, train.class_names)

    def fit(model, split, scale):
        # Logits: Keras' PyTorch backend cannot backpropagate a per-pixel sparse
        # cross-entropy on softmax outputs ("grad_input must be contiguous").
        model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        model.fit(split.x_train, split.y_train, epochs=pretrained.scaled(2, scale), verbose=0)
        return {"epochs": pretrained.scaled(2, scale)}

    return pretrained.Recipe(name=name, description="A per-pixel stand-in.", data_source="shapes",
                             build=build, data=split, fit=fit, **kwargs)


def test_segmentation_and_custom_metrics(tmp_path):
    # mean_iou is Keras' own MeanIoU of the per-pixel arg-max; a function metric is
    # recorded under its metric_name.
    for recipe in (_segmentation_recipe("test-segmentation", metric="mean_iou"),
                   _segmentation_recipe("test-custom", metric=lambda model, split: 0.25, metric_name="quarter")):
        pretrained.register(recipe)
        try:
            trained = pretrained.train(recipe.name, scale=0.5, out=tmp_path)
            split = recipe.data()
            predicted = np.argmax(trained.model.predict(split.x_test, verbose=0), axis=-1)
            keras_iou = keras.metrics.MeanIoU(num_classes=3)
            keras_iou.update_state(split.y_test, predicted)
            expected = (round(float(keras_iou.result()), 4) if recipe.metric == "mean_iou" else 0.25)
            assert trained.card["metric"]["name"] == recipe.metric_label
            assert trained.card["metric"]["value"] == pytest.approx(expected, abs=1e-4)
            assert pretrained.evaluate(recipe.name, weights_dir=tmp_path) == pytest.approx(expected, abs=1e-4)
        finally:
            pretrained.unregister(recipe.name)


def test_bad_recipes_and_names():
    good = dict(name="x-y", description="d", data_source="s", build=lambda: None, data=lambda: None,
                fit=lambda m, s, k: {})
    with pytest.raises(ValueError, match="lower-case"):
        pretrained.register(pretrained.Recipe(**{**good, "name": "Bad_Name"}))
    with pytest.raises(ValueError, match="metric"):
        pretrained.register(pretrained.Recipe(**{**good, "metric": "f1"}))
    with pytest.raises(ValueError, match="metric_name"):
        pretrained.register(pretrained.Recipe(**{**good, "metric": lambda m, s: 0.0}))
    with pytest.raises(TypeError, match="fit"):
        pretrained.register(pretrained.Recipe(**{**good, "fit": None}))
    with pytest.raises(ValueError, match="already registered"):
        pretrained.register(pretrained.Recipe(**{**good, "name": "cnnlab-mini"}))
    with pytest.raises(ValueError, match="one of"):
        pretrained.load("resnet-9000")
    with pytest.raises(ValueError, match="scale"):
        pretrained.train("cnnlab-mini", scale=0)
    assert pretrained.scaled(20, 0.05) == 1 and pretrained.scaled(20, 0.5) == 10


def test_command_line_lists_describes_and_refuses_bad_requests():
    listing = run_cli("list")
    assert listing.returncode == 0
    for name in NAMES:
        assert name in listing.stdout
    # Listing, reading cards and refusing bad requests never import TensorFlow.
    quiet = subprocess.run([sys.executable, "-c", textwrap.dedent("""
        import sys
        from cnnlab.pretrained.__main__ import main
        codes = [main(["list"]), main(["card", "cnnlab-mini"]), main(["train", "nope"])]
        assert codes == [0, 0, 2] and "tensorflow" not in sys.modules, codes
    """)], capture_output=True, text=True, cwd=ROOT)
    assert quiet.returncode == 0, quiet.stderr
    card = run_cli("card", "cnnlab-mini")
    assert card.returncode == 0 and json.loads(card.stdout) == pretrained.card("cnnlab-mini")
    unknown = run_cli("train", "resnet-9000")
    assert unknown.returncode == 2 and "one of" in unknown.stderr and "Traceback" not in unknown.stderr
    reduced = run_cli("train", "cnnlab-mini", "--scale", "0.5")
    assert reduced.returncode == 2 and "--out" in reduced.stderr


@pytest.mark.slow
@pytest.mark.long_training
def test_the_command_reproduces_a_recipe_bit_for_bit(tmp_path):
    # Seeded and deterministic: two runs of the command write the same weights; the
    # card records how they were made.
    name = "cnnlab-mini"
    scale = str(pretrained.get(name).test_scale)
    digests = []
    for run in ("a", "b"):
        result = run_cli("train", name, "--scale", scale, "--out", str(tmp_path / run))
        assert result.returncode == 0, result.stderr
        assert "test accuracy" in result.stdout
        digests.append(pretrained.card(name, weights_dir=tmp_path / run)["weights"]["sha256"])
    assert digests[0] == digests[1]
    tool = subprocess.run([sys.executable, str(ROOT / "tools" / "train_checkpoint.py"), name, "--scale", scale,
                           "--out", str(tmp_path / "tool")], capture_output=True, text=True, cwd=ROOT)
    assert tool.returncode == 0, tool.stderr
    assert pretrained.card(name, weights_dir=tmp_path / "tool")["weights"]["sha256"] == digests[0]
    evaluation = run_cli("evaluate", name)
    assert evaluation.returncode == 0 and evaluation.stdout.strip().endswith("ok")
