"""Every course notebook ends with exercises in CONTRIBUTING.md's convention
(cnnlab.grading.convention): at least two, each an answer cell with a solution
region and a check cell with hidden tests, each binding its own names, with the
nbgrader metadata `make execute` derives from the markers."""

import nbformat
import pytest

from cnnlab import course
from cnnlab.grading import metadata
from cnnlab.grading.convention import Exercise, exercise_issues, exercises, name_issues

v4 = nbformat.v4


@pytest.mark.parametrize("path", course.notebooks(), ids=lambda p: p.name)
def test_course_notebook_follows_the_exercise_convention(path):
    nb = nbformat.read(str(path), as_version=4)
    assert exercise_issues(nb, path.name) == []
    assert metadata.issues(nb, path.name) == []


def _lesson(exercise_count, *, with_heading=True, with_checks=True, name=lambda n: f"value_{n}"):
    cells = [v4.new_markdown_cell("# Lesson"), v4.new_code_cell("import cnnlab.notebook")]
    if with_heading:
        cells.append(v4.new_markdown_cell("## Exercises"))
    for number in range(exercise_count):
        cells.append(v4.new_markdown_cell(f"**{number + 1}.** A question."))
        answer = name(number)
        cells.append(v4.new_code_cell(f"{answer} = None\n### BEGIN SOLUTION\n{answer} = {number}\n### END SOLUTION"))
        if with_checks:
            cells.append(
                v4.new_code_cell(
                    f"assert {answer} is not None\n### BEGIN HIDDEN TESTS\n"
                    f"assert {answer} == {number}\n### END HIDDEN TESTS"
                )
            )
    nb = v4.new_notebook()
    nb.cells = cells
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index}"
    return nb


def test_pattern_is_recognised():
    nb = _lesson(3)
    assert exercises(nb) == [Exercise(4, 5, (3,)), Exercise(7, 8, (6,)), Exercise(10, 11, (9,))]
    assert [e.name(nb) for e in exercises(nb)] == ["value_0", "value_1", "value_2"]
    assert exercise_issues(_lesson(2)) == []


@pytest.mark.parametrize(
    "nb, problem",
    [
        (_lesson(1), "1 exercise(s)"),
        (_lesson(0), "0 exercise(s)"),
        (_lesson(3, with_heading=False), "no '## Exercises' heading"),
        (_lesson(3, with_checks=False), "an answer cell without a check cell"),
    ],
    ids=["one", "none", "no-heading", "no-hidden-tests"],
)
def test_notebook_without_two_exercises_fails(nb, problem):
    issues = exercise_issues(nb, "05_x.ipynb")
    assert issues and all(i.startswith("05_x.ipynb") for i in issues)
    assert any(problem in i for i in issues), issues


def test_solutions_before_the_heading_are_reported():
    nb = _lesson(2)
    heading = nb.cells.pop(2)
    nb.cells.insert(len(nb.cells) - 3, heading)
    assert len(exercises(nb)) == 1
    assert any("before the '## Exercises' heading" in i for i in exercise_issues(nb, "x"))


def test_reused_answer_names_are_reported():
    # otter runs every test after the whole notebook: a reused name grades against the last value.
    nb = _lesson(3, name=lambda n: "answer")
    issues = name_issues(nb, "x")
    assert issues == [
        "x exercise 2 (cell 7): binds 'answer', which exercise 1 binds too; give each exercise its own names "
        "(otter grades every exercise after the whole notebook has run)",
        "x exercise 3 (cell 10): binds 'answer', which exercise 1 binds too; give each exercise its own names "
        "(otter grades every exercise after the whole notebook has run)",
    ]


def test_a_later_lesson_cell_rebinding_what_a_check_reads_is_reported():
    nb = _lesson(2)
    nb.cells.append(v4.new_code_cell("value_0 = 'overwritten'"))
    assert name_issues(nb, "x") == [
        "x exercise 1 (cell 4): its check reads 'value_0', which cell 9 binds again later; "
        "the grader would test the later value"
    ]


def test_a_check_that_tests_another_exercise_is_reported():
    nb = _lesson(2)
    nb.cells[8].source = "### BEGIN HIDDEN TESTS\nassert value_0 == 0\n### END HIDDEN TESTS"
    assert any("its check cell (cell 8) reads none of ['value_1']" in i for i in name_issues(nb, "x"))


def test_a_check_that_prints_is_reported():
    nb = _lesson(2)
    nb.cells[5].outputs = [v4.new_output("stream", name="stdout", text="5\n")]
    assert any("cell 5: the check cell prints output" in i for i in exercise_issues(nb, "x"))


def test_names_bound_inside_functions_and_comprehensions_are_local():
    nb = _lesson(2)
    nb.cells[7].source = (
        "def value_1(x):\n    ### BEGIN SOLUTION\n    value_0 = [x for x in range(3)]\n    return len(value_0)\n"
        "    ### END SOLUTION"
    )
    nb.cells[8].source = "### BEGIN HIDDEN TESTS\nassert value_1(0) == 3\n### END HIDDEN TESTS"
    assert name_issues(nb, "x") == []


def test_metadata_is_derived_from_markers_and_cell_ids():
    nb = _lesson(2)
    nb.cells[5].metadata["nbgrader"] = {"points": 4}
    metadata.annotate(nb, "x")
    answer, check = nb.cells[4].metadata["nbgrader"], nb.cells[5].metadata["nbgrader"]
    assert answer == {"grade": False, "grade_id": "cell-4", "locked": False, "schema_version": 3, "solution": True, "task": False}
    assert check == {
        "grade": True, "grade_id": "cell-5", "locked": True, "points": 4, "schema_version": 3, "solution": False,
        "task": False,
    }
    assert "nbgrader" not in nb.cells[1].metadata
    assert metadata.issues(nb, "x") == []
    # Inserting a cell renumbers nothing.
    nb.cells.insert(3, v4.new_markdown_cell("A note."))
    assert metadata.issues(nb, "x") == []


@pytest.mark.parametrize(
    "change, problem",
    [
        (lambda nb: nb.cells[4].metadata.pop("nbgrader"), "cell 4: no nbgrader metadata"),
        (lambda nb: nb.cells[5].metadata["nbgrader"].update(locked=False), "cell 5: nbgrader metadata disagrees with the markers on locked"),
        (lambda nb: nb.cells[5].metadata["nbgrader"].update(grade_id="check-1"), "on grade_id"),
        (lambda nb: nb.cells[1].metadata.update(nbgrader={"solution": True}), "cell 1: nbgrader metadata on a cell without markers"),
        (lambda nb: nb.cells[5].metadata["nbgrader"].update(points=0), "on points"),
    ],
    ids=["missing", "unlocked-check", "positional-grade-id", "stray", "zero-points"],
)
def test_missing_or_inconsistent_metadata_is_reported(change, problem):
    nb = metadata.annotate(_lesson(2), "x")
    change(nb)
    assert any(problem in issue for issue in metadata.issues(nb, "x")), metadata.issues(nb, "x")


def test_task_cells_written_by_hand_are_kept():
    nb = _lesson(2)
    task = v4.new_markdown_cell("Describe the plot.")
    task.id = "task-1"
    task.metadata["nbgrader"] = {"task": True, "grade": False, "solution": False, "locked": True, "points": 2, "grade_id": "task-1"}
    nb.cells.append(task)
    metadata.annotate(nb, "x")
    assert nb.cells[-1].metadata["nbgrader"]["task"] is True and metadata.issues(nb, "x") == []
