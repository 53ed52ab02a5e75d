"""Every course notebook ends with at least two exercises in CONTRIBUTING.md's
nbgrader pattern, so that notebooks written later follow it too."""

import nbformat
import pytest

from cnnlab import course
from cnnlab.release import Exercise, exercise_issues, exercises


@pytest.mark.parametrize("path", course.notebooks(), ids=lambda p: p.name)
def test_course_notebook_has_two_exercises(path):
    nb = nbformat.read(str(path), as_version=4)
    assert exercise_issues(nb, path.name) == []


def _lesson(exercise_count, *, with_heading=True, with_checks=True):
    v4 = nbformat.v4
    cells = [v4.new_markdown_cell("# Lesson"), v4.new_code_cell("import cnnlab.notebook")]
    if with_heading:
        cells.append(v4.new_markdown_cell("## Exercises"))
    for number in range(exercise_count):
        cells.append(v4.new_markdown_cell(f"**{number + 1}.** A question."))
        cells.append(v4.new_code_cell(f"answer = None\n### BEGIN SOLUTION\nanswer = {number}\n### END SOLUTION"))
        if with_checks:
            cells.append(
                v4.new_code_cell(
                    "assert answer is not None\n### BEGIN HIDDEN TESTS\n"
                    f"assert answer == {number}\n### END HIDDEN TESTS"
                )
            )
    nb = v4.new_notebook()
    nb.cells = cells
    return nb


def test_pattern_is_recognised():
    assert exercises(_lesson(3)) == [Exercise(4, 5), Exercise(7, 8), Exercise(10, 11)]
    assert exercise_issues(_lesson(2)) == []


@pytest.mark.parametrize(
    "nb, problem",
    [
        (_lesson(1), "1 exercise(s)"),
        (_lesson(0), "0 exercise(s)"),
        (_lesson(3, with_heading=False), "no '## Exercises' heading"),
        (_lesson(3, with_checks=False), "0 exercise(s)"),
    ],
    ids=["one", "none", "no-heading", "no-hidden-tests"],
)
def test_notebook_without_two_exercises_fails(nb, problem):
    issues = exercise_issues(nb, "05_x.ipynb")
    assert len(issues) == 1 and issues[0].startswith("05_x.ipynb") and problem in issues[0]


def test_solutions_before_the_heading_do_not_count():
    nb = _lesson(2)
    heading = nb.cells.pop(2)
    nb.cells.insert(len(nb.cells) - 3, heading)
    assert len(exercises(nb)) == 1
