"""The nbgrader and otter-grader exporters on small notebooks, without running the tools
(tests/test_grading_nbgrader.py and tests/test_grading_otter.py run them)."""

import base64

import nbformat
import pytest

from cnnlab import course, exercises
from cnnlab.grading import nbgrader, otter
from cnnlab.release import release_notebook

v4 = nbformat.v4
SECRET = "secret 5c2d"


def _lesson():
    nb = v4.new_notebook()
    nb.metadata["kernelspec"] = dict(course.KERNELSPEC)
    nb.metadata["widgets"] = {"state": SECRET}
    cells = [
        v4.new_markdown_cell("# Lesson"),
        v4.new_code_cell("base = 6", execution_count=1),
        v4.new_markdown_cell("## Exercises\n\n**1.** Six times seven?"),
        v4.new_code_cell("product = None\r### BEGIN SOLUTION\rproduct = base * 7\r### END SOLUTION"),
        v4.new_code_cell(
            "assert product is not None\n### BEGIN HIDDEN TESTS\nassert product == 42\n### END HIDDEN TESTS\nprint()"
        ),
        v4.new_markdown_cell("**2.** Write `double`."),
        v4.new_code_cell("def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"),
        v4.new_code_cell("### BEGIN HIDDEN TESTS\nassert double(4) == 8\n### END HIDDEN TESTS"),
        v4.new_markdown_cell(f"=== BEGIN MARK SCHEME ===\n{SECRET}\n=== END MARK SCHEME ==="),
    ]
    cells[1].metadata["cnnlab"] = {"source_hash": "0123456789abcdef"}
    cells[4].metadata["nbgrader"] = {"points": 2}
    cells[2]["attachments"] = {"unused.png": {"text/plain": base64.b64encode(SECRET.encode()).decode()}}
    nb.cells = cells
    for index, cell in enumerate(nb.cells):
        cell.id = f"c{index}"
    return nb


def test_nbgrader_source_is_the_instructor_notebook_with_its_metadata():
    source = nbgrader.nbgrader_source(_lesson(), "lesson.ipynb")
    assert SECRET not in nbformat.writes(source)
    assert set(source.metadata) == {"kernelspec"} and "cnnlab" not in source.cells[1].metadata
    assert "attachments" not in source.cells[2]
    assert len(source.cells) == 8, "the mark-scheme cell is left out"
    assert source.cells[3].source == "product = None\n### BEGIN SOLUTION\nproduct = base * 7\n### END SOLUTION"
    answer, check = (source.cells[i].metadata["nbgrader"] for i in (3, 4))
    assert answer["solution"] and answer["grade_id"] == "c3"
    assert check["grade"] and check["locked"] and check["points"] == 2 and check["grade_id"] == "c4"
    assert "### BEGIN HIDDEN TESTS" in source.cells[4].source


def test_nbgrader_refuses_a_student_release():
    with pytest.raises(ValueError, match="this is a student release"):
        nbgrader.nbgrader_source(release_notebook(_lesson()), "lesson.ipynb")


def test_nbgrader_keeps_mark_schemes_of_task_cells_and_refuses_solution_only_attachments():
    nb = _lesson()
    task = nb.cells[8]
    task.metadata["nbgrader"] = {"task": True, "grade": False, "solution": False, "locked": True, "points": 1, "grade_id": "c8"}
    assert SECRET in nbgrader.nbgrader_source(nb).cells[8].source
    answer = v4.new_markdown_cell("### BEGIN SOLUTION\n![a](attachment:a.png)\n### END SOLUTION")
    answer.id = "c9"
    answer["attachments"] = {"a.png": {"image/png": base64.b64encode(b"png").decode()}}
    nb.cells.append(answer)
    with pytest.raises(ValueError, match="attachment 'a.png' is shown only inside a solution"):
        nbgrader.nbgrader_source(nb, "lesson.ipynb")


def test_nbgrader_tree(tmp_path):
    nbformat.write(_lesson(), str(tmp_path / "01_lesson.ipynb"))
    nbformat.write(_lesson(), str(tmp_path / "02_more.ipynb"))
    root = tmp_path / "tree"
    written = nbgrader.write_course([tmp_path / "01_lesson.ipynb", tmp_path / "02_more.ipynb"], root)
    assert sorted(p.relative_to(root).as_posix() for p in written) == [
        "source/01_lesson/01_lesson.ipynb", "source/02_more/02_more.ipynb",
    ]
    config = root / nbgrader.CONFIG_NAME
    assert "c.CourseDirectory.course_id = 'cnnlab'" in config.read_text()
    config.write_text(config.read_text() + "# mine\n")
    nbgrader.write_course([tmp_path / "01_lesson.ipynb"], root)
    assert config.read_text().endswith("# mine\n"), "an edited config is kept"
    (root / "source/01_lesson/01_lesson.ipynb").write_text("{}")
    with pytest.raises(ValueError, match="would overwrite source/01_lesson/01_lesson.ipynb"):
        nbgrader.write_course([tmp_path / "01_lesson.ipynb"], root)
    grouped = nbgrader.write_course([tmp_path / "02_more.ipynb"], tmp_path / "grouped", assignment="ps1")
    assert grouped == [tmp_path / "grouped/source/ps1/02_more.ipynb"]
    with pytest.raises(ValueError, match="assignment must be"):
        nbgrader.write_course([tmp_path / "02_more.ipynb"], tmp_path / "bad", assignment="a b")


def _cells(master):
    return [(c.cell_type, c.source) for c in master.cells]


def test_otter_master_notebook_format():
    master = otter.master_notebook(_lesson(), "lesson")
    cells = _cells(master)
    assert cells[0] == ("raw", "# ASSIGNMENT CONFIG\nname: lesson\ninit_cell: true\ncheck_all_cell: false\nexport_cell: false\n")
    assert cells[3:14] == [
        ("raw", "# BEGIN QUESTION\nname: product\npoints: 2\nall_or_nothing: true"),
        ("markdown", "## Exercises\n\n**1.** Six times seven?"),
        ("raw", "# BEGIN SOLUTION"),
        ("code", "product = None\n# BEGIN SOLUTION\nproduct = base * 7\n# END SOLUTION"),
        ("raw", "# END SOLUTION"),
        ("raw", "# BEGIN TESTS"),
        ("code", "assert product is not None\nprint()"),
        ("code", "# HIDDEN\nassert product is not None\nassert product == 42"),
        ("raw", "# END TESTS"),
        ("raw", "# END QUESTION"),
        ("raw", "# BEGIN QUESTION\nname: double\npoints: 1\nall_or_nothing: true"),
    ]
    assert cells[16:19] == [
        ("code", "def double(x):\n    # BEGIN SOLUTION\n    return 2 * x\n    # END SOLUTION"),
        ("markdown", SECRET),
        ("raw", "# END SOLUTION"),
    ], "the mark scheme is solution text, which otter keeps from students"
    assert cells[19:] == [
        ("raw", "# BEGIN TESTS"), ("code", "# HIDDEN\nassert double(4) == 8"), ("raw", "# END TESTS"),
        ("raw", "# END QUESTION"),
    ]
    assert set(master.metadata) == {"kernelspec"} and all("cnnlab" not in c.metadata for c in master.cells)
    assert all(not c.get("outputs") for c in master.cells if c.cell_type == "code")


def test_otter_generated_set_expects_what_check_prints():
    problems = exercises.generate("memory", count=2, seed=1)
    text = exercises.render(problems, "ipynb", instructor=True, instructor_note=SECRET)
    master = otter.master_notebook(nbformat.reads(text, as_version=4), "set")
    assert SECRET not in "".join(c.source for c in master.cells if c.cell_type != "raw")
    tests = [c for c in master.cells if c.cell_type == "code" and c.source.startswith("check(answer_")]
    assert len(tests) == 2 and all(t.outputs[0]["text"] == "Correct.\n" for t in tests)
    cells = _cells(master)
    for problem in problems:
        explanation = ("markdown", f"**Solution.** {problem.explanation}")
        where = cells.index(explanation)
        assert cells[where - 2] == ("raw", "# BEGIN SOLUTION") and cells[where + 1] == ("raw", "# END SOLUTION")


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda nb: setattr(nb.cells[6], "source", "product = 2\n### BEGIN SOLUTION\nproduct = 3\n### END SOLUTION"),
         "binds 'product', which exercise 1 binds too"),
        (lambda nb: nb.cells.append(v4.new_markdown_cell("### BEGIN SOLUTION\nwords\n### END SOLUTION")),
         "grades code exercises only"),
        (lambda nb: nb.cells.insert(1, v4.new_code_cell("x = 1  # SOLUTION")), "ends the way otter marks its own lines"),
        (lambda nb: nb.cells.insert(1, v4.new_raw_cell("notes")), "a raw cell"),
        (lambda nb: nb.cells.insert(1, v4.new_markdown_cell("# BEGIN QUESTION\nname: x")), "otter syntax"),
    ],
    ids=["reused-name", "written-answer", "otter-suffix", "raw-cell", "otter-boundary"],
)
def test_otter_refuses_what_it_cannot_export_faithfully(change, message):
    nb = _lesson()
    change(nb)
    with pytest.raises(otter.OtterExportError, match=message):
        otter.master_notebook(nb, "lesson", "lesson.ipynb")


def test_otter_masters_on_disk(tmp_path):
    nbformat.write(_lesson(), str(tmp_path / "01_lesson.ipynb"))
    written = otter.write_masters([tmp_path / "01_lesson.ipynb"], tmp_path / "otter")
    assert written == [tmp_path / "otter/01_lesson/01_lesson.ipynb"]
    assert otter.write_masters([tmp_path / "01_lesson.ipynb"], tmp_path / "otter") == written
