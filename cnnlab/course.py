"""Course notebook tooling: execute, check and build the notebooks in ``course/``.

``python -m cnnlab.course execute course/01_*.ipynb`` re-runs notebooks in
place and stamps every code cell with a hash of its source, so that
``check`` (and the test suite) can tell when a committed output no longer
belongs to the code above it. It also writes what does not change outputs:
the kernelspec JupyterLab keeps and the nbgrader metadata of the exercises
(``annotate`` writes only those). Nothing here imports TensorFlow; the kernels do.
"""

import argparse
import hashlib
import json
import os
import re
import sys
import time
from pathlib import Path

COURSE_DIR = Path(__file__).resolve().parent.parent / "course"
NOTEBOOK_PATTERN = re.compile(r"^\d\d_[a-z0-9_]+\.ipynb$")
STAMP_KEY = "cnnlab"
IGNORE_OUTPUT_TAG = "nbval-ignore-output"
# What ipykernel's kernelspec says (``ipykernel.kernelspec.get_kernel_dict()``;
# tests/test_lab.py asks a running JupyterLab). JupyterLab rewrites any other
# display name when it opens a notebook, which marks it unsaved at once.
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def notebooks(root=COURSE_DIR):
    """The course notebooks under ``root``, in lecture order."""
    root = Path(root)
    if not root.is_dir():
        raise ValueError(f"root must be a directory, got {str(root)!r}")
    return sorted(p for p in root.iterdir() if NOTEBOOK_PATTERN.match(p.name))


def source_hash(source):
    """Short SHA-256 of a cell's source, the stamp ``execute`` records."""
    if isinstance(source, list):
        source = "".join(source)
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


def _read(path):
    import nbformat

    return nbformat.read(str(path), as_version=4)


def stamp(nb):
    """Record each code cell's source hash in its metadata."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.metadata[STAMP_KEY] = {"source_hash": source_hash(cell.source)}
    return nb


def annotate(nb, name="notebook"):
    """Metadata that does not change the outputs: the kernelspec JupyterLab expects, and
    nbgrader cell metadata refreshed from the exercise markers. Returns ``nb``."""
    from cnnlab.grading import metadata

    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    return metadata.annotate(nb, name)


def execute(path, output=None, *, timeout=900):
    """Run a notebook top to bottom in a fresh kernel, headless.

    Args:
        path: the notebook.
        output: where to write the executed notebook; defaults to ``path``.
        timeout: seconds allowed per cell.

    Returns:
        Wall-clock seconds the execution took.
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = annotate(_read(path), path.name)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        # Timestamps in cell metadata would make every re-execution a diff.
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    # The kernel inherits this process's environment; set the switch for it only.
    previous = os.environ.get("CNNLAB_HEADLESS")
    os.environ["CNNLAB_HEADLESS"] = "1"
    try:
        start = time.perf_counter()
        client.execute()
        seconds = time.perf_counter() - start
    finally:
        if previous is None:
            del os.environ["CNNLAB_HEADLESS"]
        else:
            os.environ["CNNLAB_HEADLESS"] = previous
    stamp(nb)
    nbformat.write(nb, str(output or path))
    return seconds


def check(path):
    """Problems with a committed notebook, as a list of strings (empty: fine).

    A notebook is fine when every code cell ran, in order, in one session,
    without errors or stderr output, and no cell's source changed since; when
    its kernelspec is the one JupyterLab keeps; and when its nbgrader metadata
    matches its exercise markers (``execute`` and ``annotate`` write both).
    """
    from cnnlab.grading import metadata
    from cnnlab.grading.markers import MarkerError

    nb = _read(path)
    problems = []
    if nb.metadata.get("kernelspec") != KERNELSPEC:
        problems.append(
            f"{Path(path).name}: kernelspec {nb.metadata.get('kernelspec')!r} is not {KERNELSPEC!r}, which "
            "JupyterLab would write on opening it (run `make execute` or `python -m cnnlab.course annotate`)"
        )
    try:
        problems += metadata.issues(nb, Path(path).name)
    except (MarkerError, ValueError) as error:
        problems.append(str(error))
    expected = 1
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        where = f"{Path(path).name} cell {index}"
        if not cell.source.strip():
            problems.append(f"{where}: empty code cell")
            continue
        if cell.execution_count is None:
            problems.append(f"{where}: not executed")
        elif cell.execution_count != expected:
            problems.append(
                f"{where}: execution count {cell.execution_count}, expected {expected}"
                " (run the notebook top to bottom with `make execute`)"
            )
        expected += 1
        recorded = cell.metadata.get(STAMP_KEY, {}).get("source_hash")
        if recorded != source_hash(cell.source):
            problems.append(f"{where}: source changed since its outputs were made")
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                problems.append(f"{where}: error output {output.get('ename')}")
            elif output.output_type == "stream" and output.name == "stderr":
                text = "".join(output.text).strip().splitlines()
                problems.append(f"{where}: stderr output {text[:1]}")
    return problems


def from_script(script, output):
    """Convert a percent-format script (``# %%`` cells) into a notebook.

    ``# %% [markdown]`` starts a markdown cell whose lines begin with ``# ``;
    ``# %% tags=["nbval-ignore-output"]`` tags a code cell. A convenience for
    authors who prefer writing a lesson in an editor; the notebook is what is
    committed.
    """
    import nbformat

    text = Path(script).read_text(encoding="utf-8")
    header = re.compile(r"^# %%(?P<md> \[markdown\])?(?: tags=(?P<tags>\[.*\]))?\s*$")
    cells = []
    current = None
    for line in text.splitlines():
        match = header.match(line)
        if match:
            current = {
                "markdown": bool(match.group("md")),
                "tags": json.loads(match.group("tags")) if match.group("tags") else [],
                "lines": [],
            }
            cells.append(current)
        elif current is not None:
            current["lines"].append(line)
        elif line.strip():
            raise ValueError(f"{script}: text before the first '# %%' cell marker: {line!r}")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    for cell in cells:
        body = "\n".join(cell["lines"]).strip("\n")
        if cell["markdown"]:
            body = "\n".join(re.sub(r"^# ?", "", ln) for ln in body.splitlines())
            new = nbformat.v4.new_markdown_cell(body)
        else:
            new = nbformat.v4.new_code_cell(body)
        if cell["tags"]:
            new.metadata["tags"] = cell["tags"]
        nb.cells.append(new)
    for index, cell in enumerate(nb.cells):
        # Stable ids keep regenerated notebooks diff-friendly.
        cell.id = f"cell-{index:03d}"
    nbformat.write(nb, str(output))


def build(paths, out_dir):
    """Execute copies of the notebooks into ``out_dir`` and render HTML beside them."""
    from nbconvert import HTMLExporter

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    timings = {}
    for path in paths:
        target = out_dir / Path(path).name
        timings[Path(path).name] = execute(path, target)
        body, _ = HTMLExporter().from_filename(str(target))
        target.with_suffix(".html").write_text(body, encoding="utf-8")
    return timings


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m cnnlab.course", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("execute", help="re-execute notebooks in place")
    run.add_argument("paths", nargs="*", type=Path)
    chk = sub.add_parser("check", help="report unexecuted, failed or stale cells")
    chk.add_argument("paths", nargs="*", type=Path)
    bld = sub.add_parser("build", help="execute copies and write HTML")
    bld.add_argument("--out", type=Path, default=Path("build/course"))
    bld.add_argument("paths", nargs="*", type=Path)
    ann = sub.add_parser("annotate", help="refresh kernelspec and nbgrader metadata only (outputs stay valid)")
    ann.add_argument("paths", nargs="*", type=Path)
    conv = sub.add_parser("from-script", help="percent-format script to notebook")
    conv.add_argument("script", type=Path)
    conv.add_argument("output", type=Path)
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except ValueError as error:
        # A malformed marker, or a file that is not a notebook: a message, not a traceback.
        print(f"python -m cnnlab.course {args.command}: error: {error}", file=sys.stderr)
        return 2


def _run(args):
    if args.command == "from-script":
        from_script(args.script, args.output)
        return 0
    paths = args.paths or notebooks()
    if args.command == "execute":
        for path in paths:
            print(f"{path.name}: {execute(path):.1f} s", flush=True)
        return 0
    if args.command == "annotate":
        import nbformat

        for path in paths:
            nbformat.write(annotate(_read(path), path.name), str(path))
            print(f"{path.name}: metadata refreshed", flush=True)
        return 0
    if args.command == "build":
        for name, seconds in build(paths, args.out).items():
            print(f"{name}: {seconds:.1f} s", flush=True)
        print(f"executed notebooks and HTML in {args.out}/")
        return 0
    failed = False
    for path in paths:
        for problem in check(path):
            print(problem)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
