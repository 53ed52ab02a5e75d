"""Student releases of notebooks written with nbgrader's markers.

``cnnlab release SOURCE_DIR OUT_DIR`` (or ``release(source_dir, out_dir)``)
writes a student copy of every notebook in ``SOURCE_DIR``:

- code cells: each ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` region becomes
  ``# YOUR CODE HERE`` / ``raise NotImplementedError()`` at the marker's
  indentation; each ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS`` region
  is removed;
- Markdown cells: a solution region becomes ``YOUR ANSWER HERE``, a
  ``=== BEGIN MARK SCHEME ===`` ... ``=== END MARK SCHEME ===`` region is removed,
  and attachments the remaining text no longer uses are dropped;
- outputs and execution counts are cleared from changed cells and from every
  code cell after the first solution (they ran on the instructor's answers);
  outputs before it are kept;
- a cell whose nbgrader metadata says ``solution`` but that has neither
  markers nor a stub is all solution (nbgrader's rule) and becomes the stub,
  so releasing a released notebook changes nothing;
- changed cells get nbgrader metadata (``solution`` / ``grade`` / ``locked``)
  unless they have it, so the result can go to nbgrader or otter-grader; their
  ``cnnlab`` source-hash stamp, stale now, is dropped.

A marker that is unbalanced, nested, of the wrong kind for its cell or
misspelt raises ``ReleaseError`` naming the notebook and cell: a release is
all or nothing, never a silent partial strip. Files other than notebooks are
copied unchanged. Nothing here imports TensorFlow.
"""

import copy
import re
import shutil
from pathlib import Path
from typing import NamedTuple

SOLUTION, HIDDEN_TESTS, MARK_SCHEME = "SOLUTION", "HIDDEN TESTS", "MARK SCHEME"
CODE_MARKERS = {
    "### BEGIN SOLUTION": ("BEGIN", SOLUTION),
    "### END SOLUTION": ("END", SOLUTION),
    "### BEGIN HIDDEN TESTS": ("BEGIN", HIDDEN_TESTS),
    "### END HIDDEN TESTS": ("END", HIDDEN_TESTS),
}
TEXT_MARKERS = {
    "### BEGIN SOLUTION": ("BEGIN", SOLUTION),
    "### END SOLUTION": ("END", SOLUTION),
    "=== BEGIN MARK SCHEME ===": ("BEGIN", MARK_SCHEME),
    "=== END MARK SCHEME ===": ("END", MARK_SCHEME),
}
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
TEXT_STUB = "YOUR ANSWER HERE"
EXERCISES_HEADING = "## Exercises"
STAMP_KEY = "cnnlab"
_NBGRADER_SCHEMA = 3
# A whole line that looks like a marker: caught even when misspelt, so that a
# typo cannot leave a solution in the student copy.
_MARKER_LIKE = re.compile(
    r"^[\s#=/*\-]*(BEGIN|END)\s+(SOLUTION|HIDDEN\s+TESTS?|MARK\s+SCHEME)S?[\s#=/*\-]*$", re.IGNORECASE
)
_SKIP_DIRS = {".ipynb_checkpoints", "__pycache__"}


class ReleaseError(ValueError):
    """A notebook's markers cannot be released safely."""


class Region(NamedTuple):
    """One marked region of a cell: its kind and the lines between the markers."""

    kind: str
    lines: list


def split_regions(source, cell_type, where="cell"):
    """Parse a cell's markers.

    Args:
        source: the cell source (a string).
        cell_type: "code", "markdown" or "raw".
        where: "notebook.ipynb cell 7", used in error messages.

    Returns:
        ``(released_source, regions)``: the source with every region replaced
        by its stub (or removed), and the list of ``Region`` found.

    Raises:
        ReleaseError: unbalanced, nested, misspelt or misplaced markers.
    """
    markers = CODE_MARKERS if cell_type == "code" else TEXT_MARKERS
    kept, regions = [], []
    current, indent = None, ""
    for number, line in enumerate(source.split("\n"), 1):
        marker = markers.get(line.strip())
        if marker is None and _MARKER_LIKE.match(line):
            allowed = " / ".join(repr(m) for m in markers)
            raise ReleaseError(
                f"{where}, line {number}: {line.strip()!r} looks like a marker but is not one of "
                f"{allowed} (allowed in a {cell_type} cell)"
            )
        if marker is None:
            (current.lines if current is not None else kept).append(line)
            continue
        verb, kind = marker
        if verb == "BEGIN":
            if current is not None:
                raise ReleaseError(f"{where}, line {number}: BEGIN {kind} inside an open {current.kind} region")
            current, indent = Region(kind, []), line[: len(line) - len(line.lstrip())]
        elif current is None:
            raise ReleaseError(f"{where}, line {number}: END {kind} without a BEGIN {kind}")
        elif current.kind != kind:
            raise ReleaseError(f"{where}, line {number}: END {kind} closes a {current.kind} region")
        else:
            kept.extend(_stub(kind, cell_type, indent))
            regions.append(current)
            current = None
    if current is not None:
        raise ReleaseError(f"{where}: BEGIN {current.kind} is never closed by END {current.kind}")
    return "\n".join(kept), regions


def _stub(kind, cell_type, indent):
    if kind != SOLUTION:
        return []
    if cell_type == "code":
        return [indent + line for line in CODE_STUB]
    return [indent + TEXT_STUB]


def release_notebook(nb, name="notebook"):
    """The student copy of a notebook (``nbformat.NotebookNode``); ``nb`` is unchanged.

    Raises:
        ReleaseError: a marker problem, naming ``name`` and the cell index.
    """
    released = copy.deepcopy(nb)
    after_solution = False
    for index, cell in enumerate(released.cells):
        source, regions = split_regions(cell.source, cell.cell_type, f"{name} cell {index}")
        if not regions and cell.metadata.get("nbgrader", {}).get("solution") and not _has_stub(cell):
            # nbgrader's rule for a solution cell without markers: all of it is the solution.
            regions = [Region(SOLUTION, cell.source.split("\n"))]
            source = "\n".join(_stub(SOLUTION, cell.cell_type, ""))
        kinds = {region.kind for region in regions}
        if regions:
            cell.source = source
            cell.metadata.pop(STAMP_KEY, None)
            _add_nbgrader_metadata(cell, index, kinds)
            if cell.cell_type != "code":
                _drop_unused_attachments(cell)
        if cell.cell_type == "code" and (regions or after_solution):
            cell.outputs = []
            cell.execution_count = None
        after_solution = after_solution or SOLUTION in kinds
    return released


def _has_stub(cell):
    stub = CODE_STUB[-1] if cell.cell_type == "code" else TEXT_STUB
    return any(line.strip() == stub for line in cell.source.split("\n"))


def _add_nbgrader_metadata(cell, index, kinds):
    if "nbgrader" in cell.metadata or kinds == {MARK_SCHEME}:
        return
    solution = SOLUTION in kinds
    # nbgrader grades code tests automatically and Markdown answers by hand.
    grade = HIDDEN_TESTS in kinds or (solution and cell.cell_type != "code")
    metadata = {
        "grade": grade,
        "grade_id": f"cell-{index}",
        "locked": not solution,
        "schema_version": _NBGRADER_SCHEMA,
        "solution": solution,
        "task": False,
    }
    if grade:
        metadata["points"] = 1
    cell.metadata["nbgrader"] = metadata


def _drop_unused_attachments(cell):
    attachments = cell.get("attachments")
    if not attachments:
        return
    for key in [key for key in attachments if f"attachment:{key}" not in cell.source]:
        del attachments[key]
    if not attachments:
        del cell["attachments"]


class Exercise(NamedTuple):
    """Cell indices of one exercise: its answer cell and its check cell."""

    answer: int
    check: int


def exercises(nb, name="notebook"):
    """The exercises after the ``## Exercises`` heading, as ``Exercise`` index pairs.

    An exercise is a code cell with a solution region followed (before the next
    answer cell) by a code cell with a hidden-tests region, as CONTRIBUTING.md
    shows. An answer cell without a check cell is not counted.
    """
    found = []
    pending = None
    in_section = False
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and _is_exercises_heading(cell.source):
            in_section = True
            continue
        if not in_section or cell.cell_type != "code":
            continue
        kinds = {region.kind for region in split_regions(cell.source, "code", f"{name} cell {index}")[1]}
        if SOLUTION in kinds:
            pending = index
        if HIDDEN_TESTS in kinds and pending is not None:
            found.append(Exercise(pending, index))
            pending = None
    return found


def _is_exercises_heading(source):
    return any(line.strip() == EXERCISES_HEADING for line in source.split("\n"))


def exercise_issues(nb, name="notebook", minimum=2):
    """What keeps a course notebook from CONTRIBUTING.md's exercise pattern (empty: fine)."""
    if not any(c.cell_type == "markdown" and _is_exercises_heading(c.source) for c in nb.cells):
        return [f"{name}: no '{EXERCISES_HEADING}' heading"]
    found = exercises(nb, name)
    if len(found) < minimum:
        return [
            f"{name}: {len(found)} exercise(s) under '{EXERCISES_HEADING}', at least {minimum} needed "
            "(an answer cell with a solution region, then a check cell with a hidden-tests region)"
        ]
    return []


def _notebooks_and_files(source_dir):
    notebooks, files = [], []
    for path in sorted(source_dir.rglob("*")):
        relative = path.relative_to(source_dir)
        if any(part in _SKIP_DIRS or part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        (notebooks if path.suffix == ".ipynb" else files).append(relative)
    return notebooks, files


def release(source_dir, out_dir):
    """Write the student copy of every notebook under ``source_dir`` to ``out_dir``.

    Every notebook is released in memory first, so a marker error leaves
    ``out_dir`` untouched.

    Returns:
        The written notebook paths.

    Raises:
        ValueError: ``source_dir`` is not a directory, or ``out_dir`` is it or
            lies inside it (the release would overwrite or feed on the sources).
        ReleaseError: a notebook's markers cannot be released safely.
    """
    import nbformat

    source_dir, out_dir = Path(source_dir), Path(out_dir)
    if not source_dir.is_dir():
        raise ValueError(f"source_dir must be a directory, got {str(source_dir)!r}")
    source_abs, out_abs = source_dir.resolve(), out_dir.resolve()
    if out_abs == source_abs or source_abs in out_abs.parents:
        raise ValueError(f"out_dir must lie outside source_dir {str(source_dir)!r}, got {str(out_dir)!r}")
    notebooks, files = _notebooks_and_files(source_dir)
    released = {}
    for relative in notebooks:
        nb = nbformat.read(str(source_dir / relative), as_version=4)
        released[relative] = release_notebook(nb, str(relative))
    written = []
    for relative, nb in released.items():
        target = out_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(target))
        written.append(target)
    for relative in files:
        target = out_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source_dir / relative, target)
    return written
