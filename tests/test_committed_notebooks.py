"""Committed course notebooks are executed, in order, error-free, quiet and
current with their sources (``make execute`` stamps them); nbval then re-runs
them and compares the outputs."""

import pytest

from cnnlab import course

NOTEBOOKS = course.notebooks()


def test_course_has_notebooks():
    names = [p.name for p in NOTEBOOKS]
    assert names[:2] == ["01_convolution_arithmetic.ipynb", "02_pooling.ipynb"]


def test_notebooks_are_numbered_without_gaps_or_duplicates():
    numbers = [int(p.name[:2]) for p in NOTEBOOKS]
    assert numbers == list(range(1, len(numbers) + 1))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_outputs_are_current(path):
    assert course.check(path) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_code_cell_sets_up_the_notebook(path):
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert "cnnlab.notebook.setup(" in first.source
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
