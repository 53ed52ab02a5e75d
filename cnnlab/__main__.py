"""The ``cnnlab`` command: instructor tools that never import TensorFlow.

    cnnlab exercises --list
    cnnlab exercises --topic conv-output --count 20 --seed 3 --format json --out set.json
    cnnlab exercises --topic all --count 10 --seed 48213977 --out set.ipynb
    cnnlab exercises --topic all --count 10 --seed 48213977 --out set_key.ipynb --instructor
    cnnlab release course build/release

``python -m cnnlab`` is the same command.
"""

import argparse
import signal
import sys
from pathlib import Path


def _parser():
    from cnnlab import exercises

    parser = argparse.ArgumentParser(prog="cnnlab", description="cnnlab instructor tools.")
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser(
        "exercises",
        help="generate a randomised problem set",
        description="Generate reproducible problems on CNN arithmetic: the same seed gives the same file, "
        "byte for byte.",
    )
    gen.add_argument("--list", action="store_true", help="describe the topics and exit")
    gen.add_argument("--topic", choices=[*exercises.TOPICS, exercises.ALL], help="topic, or 'all' in turn")
    gen.add_argument("--count", type=int, default=10, help="number of problems (default 10)")
    gen.add_argument(
        "--seed",
        type=int,
        default=0,
        help="random seed, >= 0 (default 0); for graded sets pick a large one and keep it secret: "
        "the seed regenerates the solutions, and student copies do not show it",
    )
    gen.add_argument(
        "--format",
        choices=exercises.FORMATS,
        help="output format (default: from the --out suffix .json/.md/.ipynb, else json)",
    )
    gen.add_argument(
        "--instructor",
        action="store_true",
        help="md/ipynb: include solutions and explanations (JSON always has them)",
    )
    gen.add_argument("--out", type=Path, help="output file (default: standard output)")
    rel = sub.add_parser(
        "release",
        help="write student copies of notebooks",
        description="Replace solution regions by stubs, remove hidden tests and clear the outputs "
        "that ran on solutions, for every notebook in SOURCE_DIR.",
    )
    rel.add_argument("source_dir", type=Path, metavar="SOURCE_DIR")
    rel.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    return parser


def _format_from_suffix(out):
    from cnnlab.exercises import FORMATS

    suffix = out.suffix.lstrip(".") if out is not None else ""
    return suffix if suffix in FORMATS else "json"


def _title(args):
    from cnnlab.exercises import set_tag

    # Only the instructor's copy names the seed: with it anyone can regenerate the solutions.
    if args.instructor:
        return f"Exercises: {args.topic} (seed {args.seed}, instructor copy)"
    return f"Exercises: {args.topic} (set {set_tag(args.seed)})"


def _exercises(args, parser):
    from cnnlab import exercises

    if args.list:
        print(exercises.describe())
        return 0
    if args.topic is None:
        parser.error("exercises: --topic is required (or --list)")
    try:
        problems = exercises.generate(args.topic, count=args.count, seed=args.seed)
    except (TypeError, ValueError) as error:
        parser.error(f"exercises: {error}")
    format = args.format or _format_from_suffix(args.out)
    text = exercises.render(problems, format, instructor=args.instructor, title=_title(args))
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(text.encode("utf-8"))
        print(f"wrote {len(problems)} problems to {args.out}", file=sys.stderr)
    return 0


def _release(args):
    from cnnlab import release

    try:
        written = release.release(args.source_dir, args.out_dir)
    except ValueError as error:
        print(f"cnnlab release: error: {error}", file=sys.stderr)
        return 1
    print(f"released {len(written)} notebook(s) to {args.out_dir}/")
    return 0


def main(argv=None):
    """Entry point of the ``cnnlab`` console script; returns the exit status."""
    if hasattr(signal, "SIGPIPE"):
        # `cnnlab exercises --list | head` should end quietly, like other Unix tools.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "exercises":
        return _exercises(args, parser)
    return _release(args)


if __name__ == "__main__":
    sys.exit(main())
