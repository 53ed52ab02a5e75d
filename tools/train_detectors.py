"""Reproduce the shipped CenterNet detectors, ``cnnlab/weights/centernet_triangles_*``.

Lesson 15's three regimes, each a CenterNet that finds triangles among circles,
squares and crosses in ``cnnlab.data.scenes`` (500 training scenes), trained for
the same 1,500 steps of Adam with the new heads at lr 1e-3 (``cnnlab.recipes``):

- ``frozen``: the backbone pre-trained on single shapes (``densenet-mini-shapes``), not trained;
- ``finetuned``: the same backbone trained at lr 1e-4, the lecture note's setting;
- ``scratch``: the same architecture from a random start, everything at 1e-3.

    .venv/bin/python tools/train_detectors.py                     # all three, rewrites the shipped files
    .venv/bin/python tools/train_detectors.py --regime frozen --out /tmp/w

About 3-6 minutes per regime on a 2-core CPU. Each card records the test mAP@0.5
(pycocotools) that lesson 15 reports.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regime", choices=("frozen", "finetuned", "scratch", "all"), default="all")
    parser.add_argument("--out", type=Path, default=None,
                        help="directory for the weights and cards (default: cnnlab/weights, the shipped files)")
    parser.add_argument("--steps", type=int, default=None, help="shorten the recipe (tests)")
    parser.add_argument("--count", type=int, default=None, help="training scenes (tests)")
    args = parser.parse_args(argv)
    import cnnlab.notebook

    cnnlab.notebook.setup(seed=0, plots=False)
    from cnnlab import checkpoints, recipes

    regimes = recipes.REGIMES if args.regime == "all" else (args.regime,)
    for regime in regimes:
        name = f"centernet-triangles-{regime}"
        model, card = recipes.train(name, steps=args.steps, count=args.count)
        saved = checkpoints.save(model, name, card, args.out)
        print(f"{name}: {card['metrics']}, weights sha256 {saved['weights_sha256']}", flush=True)


if __name__ == "__main__":
    main()
