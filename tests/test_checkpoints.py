"""Shipped checkpoints of lessons 14 and 15: each file matches its card's digest and
still reproduces the metrics its card (and the lesson) reports; every recipe runs at
reduced scale and writes a loadable checkpoint."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cnnlab import checkpoints, recipes

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", checkpoints.NAMES)
def test_shipped_file_matches_its_card(name):
    weights, card_file = checkpoints.paths(name)
    card = checkpoints.card(name)
    assert weights.stat().st_size < 1_000_000, "ship small weights (no optimizer state)"
    assert card["name"] == name and card["recipe"].startswith("tools/train_")
    assert checkpoints.weights_digest(checkpoints.load(name)) == card["weights_sha256"]


@pytest.mark.slow
@pytest.mark.parametrize("name", checkpoints.NAMES)
def test_shipped_checkpoint_reproduces_its_metrics(name):
    card = checkpoints.card(name)
    measured = recipes.evaluate(name, checkpoints.load(name))
    assert set(measured) == set(card["metrics"])
    for key, value in measured.items():
        assert value == pytest.approx(card["metrics"][key], abs=0.01), key


def test_cards_record_what_the_lessons_rely_on():
    assert checkpoints.card("densenet-mini-digits")["metrics"]["test_accuracy"] > 0.97
    digits = checkpoints.card("densenet-mini-digits")["metrics"]
    assert digits["textures_map"] > 0.5
    maps = {r: checkpoints.card(f"centernet-triangles-{r}")["metrics"] for r in recipes.REGIMES}
    assert maps["frozen"]["test_map50"] > maps["scratch"]["test_map50"] + 0.1
    assert maps["finetuned"]["test_ap75"] > maps["frozen"]["test_ap75"] + 0.05


def test_the_shipped_files_stay_small():
    total = sum(p.stat().st_size for p in checkpoints.WEIGHTS_DIR.iterdir())
    assert total < 8_000_000


def test_unknown_names_and_builders_are_named():
    with pytest.raises(ValueError, match="name must be one of"):
        checkpoints.card("resnet-1000")
    with pytest.raises(ValueError, match="name must be one of"):
        recipes.train("resnet-1000")
    with pytest.raises(ValueError, match="unknown builder"):
        checkpoints.build({"builder": "vgg"})


@pytest.mark.slow
@pytest.mark.parametrize("name", ["densenet-mini-digits", "densenet-mini-shapes"])
def test_backbone_recipe_runs_at_reduced_scale(name, tmp_path):
    model, card = recipes.train(name, epochs=1, count=400)
    saved = checkpoints.save(model, name, card, tmp_path)
    assert set(card["metrics"]) == set(checkpoints.card(name)["metrics"])
    assert card["architecture"] == checkpoints.card(name)["architecture"]
    again = checkpoints.build(card["architecture"])
    again.load_weights(tmp_path / checkpoints.paths(name)[0].name)
    assert checkpoints.weights_digest(again) == saved["weights_sha256"]


@pytest.mark.slow
def test_detector_recipes_run_at_reduced_scale_through_the_tool(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "tools" / "train_detectors.py"), "--steps", "4", "--count", "16",
                    "--out", str(tmp_path)], check=True, capture_output=True, cwd=ROOT)
    for regime in recipes.REGIMES:
        name = f"centernet-triangles-{regime}"
        card = json.loads((tmp_path / checkpoints.paths(name)[1].name).read_text())
        assert card["regime"] == regime and card["training"]["steps"] == 4
        assert set(card["metrics"]) == {"test_map50", "test_ap75"}
        assert card["architecture"] == checkpoints.card(name)["architecture"]
        assert 0.0 <= card["metrics"]["test_map50"] <= 1.0


@pytest.mark.slow
def test_backbone_tool_writes_where_told(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "tools" / "train_densenet_mini.py"), "--source", "digits",
                    "--epochs", "1", "--out", str(tmp_path)], check=True, capture_output=True, cwd=ROOT)
    assert (tmp_path / "densenet_mini_digits.weights.h5").is_file()
    assert json.loads((tmp_path / "densenet_mini_digits.json").read_text())["training"]["epochs"] == 1
