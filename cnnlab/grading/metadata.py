"""nbgrader cell metadata, derived from the markers.

- answer cells (a code solution region): ``solution: true``, unlocked;
- check cells (hidden tests, or a grade cell of a generated set): ``grade: true,
  locked: true, points: N`` (``N`` is kept when an author set it, 1 otherwise);
- a Markdown cell with a solution region is a manually graded answer:
  ``solution: true, grade: true`` with points;
- ``grade_id`` is the cell's id, so inserting or moving cells renumbers nothing.

``annotate`` writes this metadata (``make execute`` calls it), ``issues`` says
where a notebook's metadata is missing or disagrees (``course.check`` and so the
test suite call it). nbgrader task cells (hand-written Markdown tasks) are kept
as they are.
"""

from .convention import exercises
from .markers import SOLUTION, kinds

SCHEMA_VERSION = 3
_KEYS = ("grade", "grade_id", "locked", "points", "schema_version", "solution", "task")


def _points(cell):
    points = cell.metadata.get("nbgrader", {}).get("points")
    valid = isinstance(points, (int, float)) and not isinstance(points, bool) and points > 0
    return points if valid else 1


def _entry(cell, *, solution, grade):
    entry = {
        "grade": grade,
        "grade_id": cell.get("id"),
        "locked": not solution,
        "schema_version": SCHEMA_VERSION,
        "solution": solution,
        "task": False,
    }
    if grade:
        entry["points"] = _points(cell)
    return entry


def _is_task(cell):
    return cell.cell_type == "markdown" and bool(cell.metadata.get("nbgrader", {}).get("task"))


def expected(nb, name="notebook"):
    """``{cell index: nbgrader metadata}`` the markers call for; other cells carry none.

    Raises:
        MarkerError: a malformed marker.
        ValueError: a cell that needs metadata has no id.
    """
    wanted = {}
    for exercise in exercises(nb, name):
        wanted[exercise.answer] = _entry(nb.cells[exercise.answer], solution=True, grade=False)
        wanted[exercise.check] = _entry(nb.cells[exercise.check], solution=False, grade=True)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and SOLUTION in kinds(cell.source, "markdown", f"{name} cell {index}"):
            wanted[index] = _entry(cell, solution=True, grade=True)
    for index in wanted:
        if not nb.cells[index].get("id"):
            raise ValueError(
                f"{name} cell {index} has no cell id, which its nbgrader grade_id is made from; "
                "save the notebook with JupyterLab 3 or later (nbformat 4.5)"
            )
    return wanted


def annotate(nb, name="notebook"):
    """Add or refresh nbgrader metadata from the markers, in place; returns ``nb``."""
    wanted = expected(nb, name)
    for index, cell in enumerate(nb.cells):
        if index in wanted:
            cell.metadata["nbgrader"] = wanted[index]
        elif "nbgrader" in cell.metadata and not _is_task(cell):
            del cell.metadata["nbgrader"]
    return nb


def issues(nb, name="notebook"):
    """Where nbgrader metadata is missing or disagrees with the markers (empty: fine)."""
    wanted = expected(nb, name)
    problems = []
    for index, cell in enumerate(nb.cells):
        where = f"{name} cell {index}"
        have = cell.metadata.get("nbgrader")
        if index not in wanted:
            if have is not None and not _is_task(cell):
                problems.append(f"{where}: nbgrader metadata on a cell without markers (run `make execute`)")
            continue
        if have is None:
            problems.append(f"{where}: no nbgrader metadata for its markers (run `make execute`)")
            continue
        wrong = [key for key in _KEYS if have.get(key) != wanted[index].get(key)]
        if wrong:
            problems.append(f"{where}: nbgrader metadata disagrees with the markers on {', '.join(wrong)} (run `make execute`)")
    ids = [entry["grade_id"] for entry in wanted.values()]
    problems += [f"{name}: grade_id {grade_id!r} is used twice" for grade_id in sorted({i for i in ids if ids.count(i) > 1})]
    return problems
