"""Shared pieces of the tests that run the real nbgrader and otter-grader:
the graded lesson, a generated set, and submissions built the way a student
makes them (by editing the student notebook), from the instructor's markers."""

import os
import sys
from contextlib import contextmanager
from pathlib import Path

import nbformat

from cnnlab import course
from cnnlab.__main__ import main
from cnnlab.grading.convention import exercises
from cnnlab.grading.markers import split_regions

# The lesson whose submissions are executed and graded: the quickest to run.
GRADED_LESSON = "01_convolution_arithmetic"
GRADED_POINTS = 3
SEED = 48213977
SET_PROBLEMS = 4
WRONG_EXERCISE = 2
NBGRADER_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
OTTER_STUB = ("...",)


@contextmanager
def tools_on_path():
    """nbgrader runs its helpers (alembic) as commands: put this interpreter's bin first on PATH."""
    previous = os.environ.get("PATH", "")
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{previous}"
    try:
        yield
    finally:
        os.environ["PATH"] = previous


def instructor_set(path):
    """A generated instructor set, written by the command line as an instructor would."""
    argv = ["exercises", "--topic", "all", "--count", str(SET_PROBLEMS), "--seed", str(SEED), "--instructor"]
    assert main(argv + ["--out", str(path)]) == 0
    return nbformat.read(str(path), as_version=4)


SET = "key"


def instructor_notebooks(base):
    """Write the generated set to ``base/key.ipynb``; return its path and ``{name: instructor notebook}``
    for it and every lesson, the notebooks whose secrets nothing a student receives may hold."""
    key = base / f"{SET}.ipynb"
    instructors = {SET: instructor_set(key)}
    instructors.update({p.stem: nbformat.read(str(p), as_version=4) for p in course.notebooks()})
    return key, instructors


def solutions(instructor_nb):
    """``[(answer name, solution lines)]`` per exercise, read from the instructor's markers."""
    found = []
    for exercise in exercises(instructor_nb):
        _, regions = split_regions(instructor_nb.cells[exercise.answer].source, "code")
        found.append((exercise.name(instructor_nb), [line for region in regions for line in region.lines]))
    return found


def answered(student_nb, answer_cells, stub, instructor_nb, wrong=()):
    """A copy of ``student_nb`` whose answer cells' stubs hold the instructor's solutions,
    except exercises numbered in ``wrong``: those get a wrong value that passes the public check."""
    nb = nbformat.from_dict(nbformat.reads(nbformat.writes(student_nb), as_version=4))
    cells = [cell for cell in nb.cells if answer_cells(cell)]
    expected = solutions(instructor_nb)
    assert len(cells) == len(expected), (len(cells), len(expected))
    for number, (cell, (name, lines)) in enumerate(zip(cells, expected), 1):
        source = cell.source.split("\n")
        start = next(i for i, line in enumerate(source) if line.strip() == stub[0])
        indent = source[start][: len(source[start]) - len(source[start].lstrip())]
        # Solution lines keep the indentation they had under their marker, where the stub now is.
        source[start : start + len(stub)] = [f"{indent}{name} = -1"] if number in wrong else lines
        cell.source = "\n".join(source)
    return nb


def write(nb, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path
