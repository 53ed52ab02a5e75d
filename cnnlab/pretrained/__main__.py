"""``python -m cnnlab.pretrained``: list, describe, train and evaluate the shipped checkpoints.

    python -m cnnlab.pretrained list
    python -m cnnlab.pretrained card NAME
    python -m cnnlab.pretrained train NAME [--scale 0.1] [--out DIR]
    python -m cnnlab.pretrained evaluate NAME [--weights-dir DIR]

``train`` without ``--out`` rewrites the shipped files in ``cnnlab/weights`` (only at the
full ``--scale 1``: a reduced run must name another folder).
"""

import argparse
import json
import sys
from pathlib import Path


def _parser():
    parser = argparse.ArgumentParser(prog="python -m cnnlab.pretrained", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="registered checkpoints, their metric and whether they ship")
    card = commands.add_parser("card", help="print a checkpoint's card")
    card.add_argument("name")
    train = commands.add_parser("train", help="run a recipe and write its weights and card")
    train.add_argument("name")
    train.add_argument("--scale", type=float, default=1.0, help="training budget factor (default 1)")
    train.add_argument("--out", type=Path, default=None,
                       help="folder for the weights and card (default: the package's cnnlab/weights)")
    evaluate = commands.add_parser("evaluate", help="recompute a checkpoint's metric and compare with its card")
    evaluate.add_argument("name")
    evaluate.add_argument("--weights-dir", type=Path, default=None)
    return parser


def main(argv=None):
    args = _parser().parse_args(argv)
    from cnnlab import pretrained

    try:
        if args.command in ("train", "evaluate"):
            pretrained.get(args.name)
            if args.command == "train" and args.out is None and args.scale != 1.0:
                raise ValueError(f"--scale {args.scale:g} would replace the shipped checkpoint with a reduced "
                                 "one; give --out DIR for a reduced run")
            import cnnlab.notebook

            # Seeds, TensorFlow op determinism and quiet logs, as in a notebook. Listing
            # and reading cards never import TensorFlow.
            cnnlab.notebook.setup(seed=0, plots=False)
        if args.command == "list":
            for name in pretrained.names():
                status = "shipped" if name in pretrained.shipped() else "not trained"
                recipe = pretrained.get(name)
                print(f"{name:28s} {recipe.metric_label:10s} {status}")
        elif args.command == "card":
            print(json.dumps(pretrained.card(args.name), indent=2))
        elif args.command == "train":
            out = args.out or pretrained.WEIGHTS_DIR
            trained = pretrained.train(args.name, scale=args.scale, out=out)
            metric = trained.card["metric"]
            weights, card = pretrained.paths(args.name, out)
            print(f"{args.name}: test {metric['name']} {metric['value']:.4f} after "
                  f"{trained.card['train_seconds']:.0f} s of training")
            print(f"wrote {weights} ({trained.card['weights']['bytes']:,} bytes) and {card}")
        else:
            value = pretrained.evaluate(args.name, weights_dir=args.weights_dir)
            stated = pretrained.card(args.name, args.weights_dir)["metric"]
            close = abs(value - stated["value"]) <= stated["tolerance"]
            print(f"{args.name}: test {stated['name']} {value:.4f} (card: {stated['value']:.4f}, "
                  f"tolerance {stated['tolerance']}) {'ok' if close else 'DIFFERS'}")
            return 0 if close else 1
    except (ValueError, TypeError, pretrained.CheckpointNotAvailableError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
