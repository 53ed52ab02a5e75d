"""`import cnnlab.exercises`, the grading modules and every `cnnlab` command never
import TensorFlow (or another deep-learning framework)."""

import subprocess
import sys

import nbformat
import pytest

FRAMEWORKS = {"tensorflow", "keras", "torch", "jax"}


def _imported(args, cwd=None):
    result = subprocess.run([sys.executable, "-X", "importtime", *args], capture_output=True, text=True, cwd=cwd)
    assert result.returncode == 0, result.stderr[-2000:]
    imported = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line}
    assert "cnnlab" in imported, "importtime output not parsed"
    return imported


def test_the_exercise_and_grading_modules():
    code = (
        "import cnnlab.exercises, cnnlab.release, cnnlab.workspace, cnnlab.course, "
        "cnnlab.grading.nbgrader, cnnlab.grading.otter, cnnlab.grading.metadata, cnnlab.grading.convention"
    )
    assert not _imported(["-c", code]) & FRAMEWORKS


@pytest.fixture
def lesson(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("## Exercises\n\n**1.** Six times seven?"),
        nbformat.v4.new_code_cell("product = None\n### BEGIN SOLUTION\nproduct = 6 * 7\n### END SOLUTION"),
        nbformat.v4.new_code_cell("### BEGIN HIDDEN TESTS\nassert product == 42\n### END HIDDEN TESTS"),
    ]
    (tmp_path / "course").mkdir()
    nbformat.write(nb, str(tmp_path / "course" / "01_lesson.ipynb"))
    return tmp_path


@pytest.mark.parametrize(
    "command",
    [
        ["workspace", "--course", "course", "--dir", "workspace"],
        ["nbgrader", "nbgrader", "course"],
        ["otter", "otter", "course"],
        ["release", "course", "release"],
    ],
    ids=lambda c: c[0],
)
def test_the_commands(lesson, command):
    assert not _imported(["-m", "cnnlab", *command], cwd=lesson) & FRAMEWORKS
