"""The real nbgrader 0.9.6, on the tree `cnnlab nbgrader` writes: every lesson and a
generated set generate and release without leaks, and a correct, a wrong and a
blank submission score full, partial and zero marks, with feedback."""

import re

import nbformat
import pytest

from cnnlab import course
from cnnlab.__main__ import main
from grading_support import (
    GRADED_LESSON,
    GRADED_POINTS,
    NBGRADER_STUB,
    SEED,
    SET_PROBLEMS,
    WRONG_EXERCISE,
    answered,
    SET,
    instructor_notebooks,
    tools_on_path,
    write,
)
from leaks import leaks_in_tree

pytest.importorskip("nbgrader")
pytestmark = [
    pytest.mark.slow,
    # Raised inside nbgrader's gradebook by SQLAlchemy 2, not by cnnlab.
    pytest.mark.filterwarnings("ignore:Object of type <Submitted"),
]

@pytest.fixture(scope="module")
def nbgrader_course(tmp_path_factory):
    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader

    base = tmp_path_factory.mktemp("nbgrader")
    key, instructors = instructor_notebooks(base)
    root = base / "course"
    assert main(["nbgrader", str(root), str(course.COURSE_DIR), str(key)]) == 0
    with tools_on_path():
        api = NbGraderAPI(config=PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config())
        for assignment in sorted(instructors):
            generated = api.generate_assignment(assignment)
            assert generated["success"], generated.get("error")
            released = api.release_assignment(assignment)
            assert released["success"], released.get("error")
        yield root, api, instructors


def test_every_lesson_and_a_generated_set_release_without_leaks(nbgrader_course):
    root, _, instructors = nbgrader_course
    outbound = root / "exchange" / "cnnlab" / "outbound"
    assert sorted(p.name for p in outbound.iterdir()) == sorted(instructors)
    for assignment, instructor in instructors.items():
        for received in (root / "release" / assignment, outbound / assignment):
            assert leaks_in_tree(instructor, received, extra=[str(SEED)]) == {}, received
        student = nbformat.read(str(outbound / assignment / f"{assignment}.ipynb"), as_version=4)
        grade_ids = [c.metadata["nbgrader"]["grade_id"] for c in student.cells if "nbgrader" in c.metadata]
        assert grade_ids and set(grade_ids) <= {c.id for c in student.cells}, "grade ids are cell ids"


def _score(api, assignment, student):
    from nbgrader.api import Gradebook

    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gradebook:
        submission = gradebook.find_submission(assignment, student)
        return submission.score, submission.max_score


@pytest.mark.parametrize("assignment, points", [(GRADED_LESSON, GRADED_POINTS), (SET, SET_PROBLEMS)])
def test_correct_wrong_and_blank_submissions_are_graded(nbgrader_course, assignment, points):
    root, api, instructors = nbgrader_course
    instructor = instructors[assignment]
    notebook = f"{assignment}.ipynb"
    student = nbformat.read(str(root / "release" / assignment / notebook), as_version=4)

    def is_answer(cell):
        return cell.metadata.get("nbgrader", {}).get("solution", False)

    submissions = {
        "correct": answered(student, is_answer, NBGRADER_STUB, instructor),
        "wrong": answered(student, is_answer, NBGRADER_STUB, instructor, wrong=(WRONG_EXERCISE,)),
        "blank": student,
    }
    expected = {"correct": points, "wrong": points - 1, "blank": 0}
    with tools_on_path():
        for name, nb in submissions.items():
            write(nb, root / "submitted" / name / assignment / notebook)
            graded = api.autograde(assignment, name)
            assert graded["success"], graded.get("error")
        feedback = api.generate_feedback(assignment)
        assert feedback["success"], feedback.get("error")
    for name, score in expected.items():
        assert _score(api, assignment, name) == (score, points), name
        html = (root / "feedback" / name / assignment / f"{assignment}.html").read_text()
        assert re.search(rf"{assignment} \(Score: {score:.1f} / {points:.1f}\)", html), name
