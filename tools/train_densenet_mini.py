"""Reproduce the shipped DenseNet-mini backbones, ``cnnlab/weights/densenet_mini_*``.

Two source tasks, both from data embedded in cnnlab (``cnnlab.recipes`` holds the recipe):

- ``--source digits``: scikit-learn's digits 0-4 at 32x32 (lesson 04's source task).
  Lesson 14 searches texture patches with it: classes it never saw.
- ``--source shapes``: single shapes of ``cnnlab.data.shapes`` (circle, square,
  triangle, cross) at 32x32 RGB, the course's "COCO": lesson 15 fine-tunes it to
  find triangles in scenes of several shapes.

    .venv/bin/python tools/train_densenet_mini.py --source digits     # rewrites the shipped files
    .venv/bin/python tools/train_densenet_mini.py --source shapes --out /tmp/w

About a minute each on a 2-core CPU. The card records the metrics and a digest of
the weights; tests/test_checkpoints.py checks the shipped files against them.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", choices=("digits", "shapes"), required=True)
    parser.add_argument("--out", type=Path, default=None,
                        help="directory for the weights and card (default: cnnlab/weights, the shipped files)")
    parser.add_argument("--epochs", type=int, default=None, help="shorten the recipe (tests)")
    parser.add_argument("--count", type=int, default=None, help="shapes generated (--source shapes)")
    args = parser.parse_args(argv)
    import cnnlab.notebook

    cnnlab.notebook.setup(seed=0, plots=False)
    from cnnlab import checkpoints, recipes

    name = f"densenet-mini-{args.source}"
    model, card = recipes.train(name, epochs=args.epochs, count=args.count)
    saved = checkpoints.save(model, name, card, args.out)
    print(f"{name}: {card['metrics']}, weights sha256 {saved['weights_sha256']}")


if __name__ == "__main__":
    main()
