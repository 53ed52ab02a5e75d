"""The student workspace `make lab` opens: a released copy of the course that a
later `make lab` updates without ever losing what the student wrote."""

import json
import re
from pathlib import Path

import nbformat
import pytest

from cnnlab import course, workspace
from cnnlab.__main__ import main
from leaks import leaks

v4 = nbformat.v4
ROOT = Path(__file__).resolve().parent.parent


def _lesson(title, question="What is 6 * 7?"):
    nb = v4.new_notebook()
    nb.metadata["kernelspec"] = dict(course.KERNELSPEC)
    nb.cells = [
        v4.new_markdown_cell(f"# {title}"),
        v4.new_code_cell("base = 6"),
        v4.new_markdown_cell(f"## Exercises\n\n**1.** {question}"),
        v4.new_code_cell("product = None\n### BEGIN SOLUTION\nproduct = base * 7\n### END SOLUTION"),
        v4.new_code_cell(
            "assert product is not None\n### BEGIN HIDDEN TESTS\nassert product == 42, 'hidden 42'\n### END HIDDEN TESTS"
        ),
    ]
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index}"
    return nb


def _put(nb, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def _read(path):
    return nbformat.read(str(path), as_version=4)


def _messages(actions):
    return {action.path: action.message for action in actions}


def _sync(capsys, source, lab):
    assert main(["workspace", "--course", str(source), "--dir", str(lab)]) == 0
    return capsys.readouterr().out


def test_a_student_never_loses_work(tmp_path, capsys):
    source, lab = tmp_path / "course", tmp_path / "workspace"
    _put(_lesson("Lesson one"), source / "01_one.ipynb")
    _put(_lesson("Lesson two"), source / "02_two.ipynb")

    # First `make lab`: the student copy, no solution in it.
    out = _sync(capsys, source, lab)
    assert "added 01_one.ipynb" in out and "added 02_two.ipynb" in out
    for name in ("01_one.ipynb", "02_two.ipynb"):
        assert leaks(_lesson("x"), _read(lab / name)) == []
        assert "raise NotImplementedError()" in _read(lab / name).cells[3].source

    # The student writes an answer and saves, as JupyterLab does.
    mine = _read(lab / "01_one.ipynb")
    mine.cells[3].source = "product = None\nproduct = 6 * 7  # my own work"
    mine.cells[3].outputs = []
    _put(mine, lab / "01_one.ipynb")
    my_bytes = (lab / "01_one.ipynb").read_bytes()

    # Upstream: both lessons change, a third one appears.
    _put(_lesson("Lesson one, revised", "What is 7 * 6?"), source / "01_one.ipynb")
    _put(_lesson("Lesson two, revised"), source / "02_two.ipynb")
    _put(_lesson("Lesson three"), source / "03_three.ipynb")

    out = _sync(capsys, source, lab)
    assert (lab / "01_one.ipynb").read_bytes() == my_bytes, "the student's copy must not change"
    beside = sorted(lab.glob("01_one.updated-*.ipynb"))
    assert len(beside) == 1 and "7 * 6" in _read(beside[0]).cells[2].source
    assert leaks(_lesson("x"), _read(beside[0])) == []
    assert f"01_one.ipynb has your changes and the course changed it too: your copy is untouched, the new version is {beside[0].name}" in out
    assert "updated 02_two.ipynb (you had not changed it)" in out
    assert _read(lab / "02_two.ipynb").cells[0].source == "# Lesson two, revised"
    assert "added 03_three.ipynb" in out
    assert "workspace: 0 file(s) up to date, 0 with your changes" in out

    # Again: nothing new is written, and the student is reminded where the update waits.
    out = _sync(capsys, source, lab)
    assert f"01_one.ipynb has your changes; the course's new version waits in {beside[0].name}" in out
    assert sorted(lab.glob("01_one.updated-*.ipynb")) == beside
    assert (lab / "01_one.ipynb").read_bytes() == my_bytes
    assert "workspace: 2 file(s) up to date, 0 with your changes" in out

    # A deleted lesson comes back; a lesson the course drops stays with the student.
    (lab / "02_two.ipynb").unlink()
    (source / "03_three.ipynb").unlink()
    out = _sync(capsys, source, lab)
    assert "restored 02_two.ipynb (it was missing)" in out
    assert "03_three.ipynb is no longer in the course; your copy stays" in out
    assert (lab / "03_three.ipynb").exists()
    assert (lab / "01_one.ipynb").read_bytes() == my_bytes


def test_only_what_the_student_writes_or_runs_counts_as_a_change(tmp_path):
    source, lab = tmp_path / "course", tmp_path / "workspace"
    _put(_lesson("One"), source / "01_one.ipynb")
    workspace.sync(source, lab)
    # JupyterLab re-saving a notebook may rewrite metadata and formatting, not the work.
    reopened = json.loads((lab / "01_one.ipynb").read_text())
    reopened["metadata"]["kernelspec"]["display_name"] = "Python 3"
    reopened["cells"][1]["metadata"]["trusted"] = True
    (lab / "01_one.ipynb").write_text(json.dumps(reopened))
    _put(_lesson("One, revised"), source / "01_one.ipynb")
    assert _messages(workspace.sync(source, lab))["01_one.ipynb"] == "updated 01_one.ipynb (you had not changed it)"
    # Outputs are the student's: a notebook they ran is theirs.
    ran = _read(lab / "01_one.ipynb")
    ran.cells[1].outputs = [v4.new_output("stream", name="stdout", text="my run\n")]
    _put(ran, lab / "01_one.ipynb")
    _put(_lesson("One, revised again"), source / "01_one.ipynb")
    action = next(a for a in workspace.sync(source, lab) if a.path == "01_one.ipynb")
    assert action.action == workspace.BESIDE
    assert _read(lab / "01_one.ipynb").cells[1].outputs[0]["text"] == "my run\n"


def test_a_file_the_manifest_does_not_know_is_the_students(tmp_path):
    source, lab = tmp_path / "course", tmp_path / "workspace"
    _put(_lesson("One"), source / "01_one.ipynb")
    (lab).mkdir()
    (lab / "01_one.ipynb").write_text("{not even a notebook")
    actions = workspace.sync(source, lab)
    assert (lab / "01_one.ipynb").read_text() == "{not even a notebook"
    assert actions[0].action == workspace.BESIDE
    # A second version beside an edited first one gets a name of its own.
    beside = next(lab.glob("01_one.updated-*.ipynb"))
    beside.write_text("edited the update too")
    (lab / workspace.MANIFEST).unlink()
    workspace.sync(source, lab)
    assert beside.read_text() == "edited the update too"
    assert len(list(lab.glob("01_one.updated-*.ipynb"))) == 2


def test_workspace_must_not_be_inside_the_course(tmp_path):
    _put(_lesson("One"), tmp_path / "course" / "01_one.ipynb")
    with pytest.raises(ValueError, match="must lie outside the course"):
        workspace.sync(tmp_path / "course", tmp_path / "course" / "workspace")


def test_the_course_releases_into_a_workspace_without_leaks(tmp_path):
    lab = tmp_path / "workspace"
    actions = workspace.sync(course.COURSE_DIR, lab)
    assert {a.path for a in actions if a.action == workspace.ADDED} == {p.name for p in course.notebooks()}
    for path in course.notebooks():
        assert leaks(_read(path), _read(lab / path.name)) == [], path.name


def test_make_lab_opens_the_workspace_and_make_lab_instructor_the_course():
    makefile = (ROOT / "Makefile").read_text()
    lab = re.search(r"^lab: .*\n\t(.*)$", makefile, re.M).group(1)
    instructor = re.search(r"^lab-instructor: .*\n\t(.*)$", makefile, re.M).group(1)
    assert lab.endswith("-m cnnlab lab") and instructor.endswith("-m cnnlab lab --instructor")
    assert workspace.DEFAULT_DIR == ROOT / "workspace"
    assert "/workspace/" in (ROOT / ".gitignore").read_text().split()
    command = workspace.lab_command(workspace.DEFAULT_DIR, ["--no-browser"])
    assert command[1:4] == ["-m", "jupyterlab", f"--notebook-dir={workspace.DEFAULT_DIR}"]
    assert command[-1] == "--no-browser"
