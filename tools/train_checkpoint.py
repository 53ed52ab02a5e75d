"""Reproduce one of cnnlab's shipped checkpoints: ``python tools/train_checkpoint.py NAME``.

The same as ``python -m cnnlab.pretrained train NAME [--scale S] [--out DIR]``: it runs
the checkpoint's seeded recipe (``cnnlab/pretrained/recipes/``) and writes
``cnnlab/weights/NAME.weights.h5`` and its card ``NAME.json``. Without a name it lists them.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cnnlab.pretrained.__main__ import main  # noqa: E402

if __name__ == "__main__":
    arguments = sys.argv[1:]
    sys.exit(main(["train", *arguments] if arguments else ["list"]))
