"""The real otter-grader 7.0, on the master notebooks `cnnlab otter` writes:
`otter assign` makes every lesson and a generated set into a student notebook
without leaks, and `otter run` (no Docker) grades a correct, a wrong and a blank
submission with full, partial and zero marks, with feedback."""

import contextlib
import io
import json
import subprocess
import sys

import nbformat
import pytest

from cnnlab import course
from cnnlab.__main__ import main
from cnnlab.grading.convention import exercises
from grading_support import (
    GRADED_LESSON,
    GRADED_POINTS,
    OTTER_STUB,
    SEED,
    SET_PROBLEMS,
    WRONG_EXERCISE,
    answered,
    SET,
    instructor_notebooks,
    write,
)
from leaks import leaks_in_tree

pytest.importorskip("otter")
pytestmark = [
    pytest.mark.slow,
    # Raised inside otter's own results table under pandas 3, not by cnnlab.
    pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.drop is deprecated"),
]

@pytest.fixture(scope="module")
def otter_assignments(tmp_path_factory):
    from otter.assign import main as assign

    base = tmp_path_factory.mktemp("otter")
    key, instructors = instructor_notebooks(base)
    masters = base / "masters"
    assert main(["otter", str(masters), str(course.COURSE_DIR), str(key)]) == 0
    for name in sorted(instructors):
        master = masters / name / f"{name}.ipynb"
        if name == GRADED_LESSON:
            # The command line once, as an instructor types it.
            result = subprocess.run(
                [sys.executable, "-m", "otter", "assign", "--no-run-tests", master.name, "dist"],
                cwd=master.parent, capture_output=True, text=True,
            )
            assert result.returncode == 0, result.stderr[-2000:]
        else:
            with contextlib.redirect_stdout(io.StringIO()):
                assign(str(master), str(master.parent / "dist"), no_run_tests=True)
    return masters, instructors


def test_every_lesson_and_a_generated_set_assign_without_leaks(otter_assignments):
    masters, instructors = otter_assignments
    for name, instructor in instructors.items():
        student_dir = masters / name / "dist" / "student"
        assert (student_dir / f"{name}.ipynb").exists()
        assert leaks_in_tree(instructor, student_dir, extra=[str(SEED)]) == {}, name
        tests = nbformat.read(str(student_dir / f"{name}.ipynb"), as_version=4).metadata["otter"]["tests"]
        assert len(tests) == len(exercises(instructor)), name
        # The autograder, which stays with the instructor, has the hidden tests.
        autograder = next((masters / name / "dist" / "autograder").glob("*.zip"))
        assert autograder.stat().st_size > 0


def _grade(submission, autograder):
    from otter.api import grade_submission

    with contextlib.redirect_stdout(io.StringIO()):
        return grade_submission(str(submission), str(autograder), quiet=True)


@pytest.mark.parametrize("name, points", [(GRADED_LESSON, GRADED_POINTS), (SET, SET_PROBLEMS)])
def test_correct_wrong_and_blank_submissions_are_graded(otter_assignments, tmp_path, name, points):
    masters, instructors = otter_assignments
    dist = masters / name / "dist"
    autograder = next((dist / "autograder").glob("*.zip"))
    student = nbformat.read(str(dist / "student" / f"{name}.ipynb"), as_version=4)

    def is_answer(cell):
        return "otter_answer_cell" in cell.metadata.get("tags", [])

    instructor = instructors[name]
    submissions = {
        "correct": answered(student, is_answer, OTTER_STUB, instructor),
        "wrong": answered(student, is_answer, OTTER_STUB, instructor, wrong=(WRONG_EXERCISE,)),
        "blank": student,
    }
    scores = {"correct": points, "wrong": points - 1, "blank": 0}
    for label, nb in submissions.items():
        path = write(nb, tmp_path / label / f"{name}.ipynb")
        if label == "wrong":
            # `otter run` itself, writing the results.json a student's feedback comes from.
            result = subprocess.run(
                [sys.executable, "-m", "otter", "run", "-a", str(autograder), "-o", str(tmp_path / label), "--no-logo", str(path)],
                capture_output=True, text=True,
            )
            assert result.returncode == 0, result.stderr[-2000:]
            report = json.loads((tmp_path / label / "results.json").read_text())
            graded = {test["name"]: test for test in report["tests"] if "score" in test}
            assert sum(test["score"] for test in graded.values()) == scores[label]
            wrong_question = list(graded)[WRONG_EXERCISE - 1]
            assert graded[wrong_question]["score"] == 0 and "Test case failed" in graded[wrong_question]["output"]
            continue
        results = _grade(path, autograder)
        assert (results.total, results.possible) == (scores[label], points), label
        feedback = results.summary()
        # One line per question: passed, or the failing case with its traceback.
        assert feedback.count("All test cases passed!") == scores[label], feedback[-1000:]
        assert ("Test case failed" in feedback) == (scores[label] < points), feedback[-1000:]
