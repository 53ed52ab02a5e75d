"""The ``cnnlab`` command: the course's student and instructor tools, never importing TensorFlow.

    cnnlab lab                      # students: sync the workspace, open JupyterLab there
    cnnlab lab --instructor         # instructors: JupyterLab on course/ itself
    cnnlab workspace                # only the sync step of `cnnlab lab`
    cnnlab exercises --topic all --count 10 --seed 48213977 --out set.ipynb
    cnnlab exercises --topic all --count 10 --seed 48213977 --out key.ipynb --instructor
    cnnlab release course build/release
    cnnlab nbgrader build/nbgrader course key.ipynb
    cnnlab otter build/otter course key.ipynb

``python -m cnnlab`` is the same command. A user mistake (a bad path, a file
that is not a notebook, a malformed marker) is one line on standard error and
exit status 2, never a traceback, and writes nothing.
"""

import argparse
import os
import signal
import sys
from pathlib import Path

USER_ERRORS = (ValueError, TypeError, OSError)


def _parser():
    from cnnlab import exercises

    parser = argparse.ArgumentParser(prog="cnnlab", description="cnnlab: the course's student and instructor tools.")
    sub = parser.add_subparsers(dest="command", required=True)

    lab = sub.add_parser(
        "lab",
        help="open the course in JupyterLab (students: the workspace)",
        description="Sync the student workspace with the course (new lessons added, your changes never "
        "overwritten), then start JupyterLab there; --instructor opens the course sources instead.",
    )
    lab.add_argument("--instructor", action="store_true", help="open course/ itself, solutions included")
    _workspace_arguments(lab)
    lab.add_argument("jupyter_args", nargs=argparse.REMAINDER, help="arguments for JupyterLab, after --")
    ws = sub.add_parser("workspace", help="sync the student workspace only", description=lab.description)
    _workspace_arguments(ws)

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
        "the seed regenerates the solutions; only the instructor copy shows it, in a mark scheme",
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
        description="Replace solution regions by stubs, remove hidden tests, mark schemes, instructor "
        "metadata and outputs that could show an answer, for a notebook or every notebook in a directory.",
    )
    rel.add_argument("source", type=Path, metavar="SOURCE", help="a notebook or a directory of notebooks")
    rel.add_argument("out", type=Path, metavar="OUT", help="a new .ipynb path, or a directory")

    nbg = sub.add_parser(
        "nbgrader",
        help="write an nbgrader course tree",
        description="Write ROOT/nbgrader_config.py and ROOT/source/<assignment>/<notebook>.ipynb from "
        "instructor notebooks (the course's lessons, generated --instructor sets), with nbgrader cell "
        "metadata from the markers; then run nbgrader generate_assignment in ROOT.",
    )
    nbg.add_argument("root", type=Path, metavar="ROOT")
    nbg.add_argument("sources", type=Path, nargs="+", metavar="NOTEBOOK_OR_DIR")
    nbg.add_argument("--assignment", help="one assignment for all notebooks (default: one per notebook)")
    nbg.add_argument("--course-id", default="cnnlab", help="nbgrader course id for a new config (default cnnlab)")

    ott = sub.add_parser(
        "otter",
        help="write otter-grader master notebooks",
        description="Write OUT/<name>/<name>.ipynb, otter-grader's master-notebook format, for each instructor "
        "notebook; then run `otter assign OUT/<name>/<name>.ipynb DIST` and grade with `otter run`.",
    )
    ott.add_argument("out", type=Path, metavar="OUT")
    ott.add_argument("sources", type=Path, nargs="+", metavar="NOTEBOOK_OR_DIR")
    return parser


def _workspace_arguments(parser):
    from cnnlab.course import COURSE_DIR
    from cnnlab.workspace import DEFAULT_DIR

    parser.add_argument("--course", type=Path, default=COURSE_DIR, help="the course sources (default course/)")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="the student workspace (default workspace/)")


def _format_from_suffix(out):
    from cnnlab.exercises import FORMATS

    suffix = out.suffix.lstrip(".") if out is not None else ""
    return suffix if suffix in FORMATS else "json"


def _title(args):
    from cnnlab.exercises import set_tag

    copy = ", instructor copy" if args.instructor else ""
    return f"Exercises: {args.topic} (set {set_tag(args.seed)}{copy})"


def _instructor_note(args):
    # The seed regenerates the solutions: only the instructor copy names it, inside a
    # mark scheme, which a release removes.
    return (
        f"Seed {args.seed}: `cnnlab exercises --topic {args.topic} --count {args.count} --seed {args.seed} "
        "--instructor` regenerates this copy. Keep it secret."
    )


def _exercises(args, parser):
    from cnnlab import exercises
    from cnnlab.grading.files import check_output_file

    if args.list:
        print(exercises.describe())
        return 0
    if args.topic is None:
        parser.error("exercises: --topic is required (or --list)")
    try:
        problems = exercises.generate(args.topic, count=args.count, seed=args.seed)
    except (TypeError, ValueError) as error:
        parser.error(f"exercises: {error}")
    if args.out is not None:
        check_output_file(args.out)
    format = args.format or _format_from_suffix(args.out)
    text = exercises.render(
        problems, format, instructor=args.instructor, title=_title(args), instructor_note=_instructor_note(args)
    )
    if args.out is None:
        sys.stdout.write(text)
    else:
        from cnnlab.grading.files import write_atomic

        write_atomic(args.out, text.encode("utf-8"))
        print(f"wrote {len(problems)} problems to {args.out}", file=sys.stderr)
    return 0


def _release(args, parser):
    from cnnlab import release

    written = release.release(args.source, args.out)
    print(f"released {len(written)} notebook(s) to {args.out}")
    return 0


def _notebook_paths(sources):
    paths = []
    for source in sources:
        if source.is_dir():
            found = sorted(p for p in source.glob("*.ipynb") if p.is_file())
            if not found:
                raise ValueError(f"{str(source)!r} holds no .ipynb notebook")
            paths += found
        elif source.exists():
            paths.append(source)
        else:
            raise ValueError(f"{str(source)!r} does not exist")
    return paths


def _nbgrader(args, parser):
    from cnnlab.grading import nbgrader

    written = nbgrader.write_course(
        _notebook_paths(args.sources), args.root, assignment=args.assignment, course_id=args.course_id
    )
    print(f"wrote {len(written)} nbgrader source notebook(s) under {args.root / 'source'}")
    print(f"next: cd {args.root} && nbgrader generate_assignment <assignment>")
    return 0


def _otter(args, parser):
    from cnnlab.grading import otter

    written = otter.write_masters(_notebook_paths(args.sources), args.out)
    print(f"wrote {len(written)} otter master notebook(s) under {args.out}")
    print("next: otter assign <master.ipynb> <dist>, then otter run -a <dist>/autograder/*.zip <submission.ipynb>")
    return 0


def _sync(args):
    from cnnlab import workspace

    for line in workspace.report(workspace.sync(args.course, args.dir)):
        print(line)


def _workspace(args, parser):
    _sync(args)
    return 0


def _lab(args, parser):
    from cnnlab import workspace

    extra = args.jupyter_args[1:] if args.jupyter_args[:1] == ["--"] else args.jupyter_args
    if args.instructor:
        directory = args.course
        print(f"opening the course sources in {directory} (solutions and hidden tests included)")
    else:
        _sync(args)
        directory = args.dir
    command = workspace.lab_command(directory, extra)
    sys.stdout.flush()
    os.execv(command[0], command)


COMMANDS = {
    "exercises": _exercises,
    "lab": _lab,
    "nbgrader": _nbgrader,
    "otter": _otter,
    "release": _release,
    "workspace": _workspace,
}


def main(argv=None):
    """Entry point of the ``cnnlab`` console script; returns the exit status."""
    if hasattr(signal, "SIGPIPE"):
        # `cnnlab exercises --list | head` should end quietly, like other Unix tools.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args, parser)
    except USER_ERRORS as error:
        print(f"cnnlab {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
