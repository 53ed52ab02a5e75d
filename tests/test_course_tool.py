"""The notebook tooling in cnnlab.course: stamps, staleness, conversion."""

import nbformat
import pytest

from cnnlab import course


def _executed_notebook(tmp_path, sources, counts=None, outputs=None):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = dict(course.KERNELSPEC)
    for i, source in enumerate(sources):
        cell = nbformat.v4.new_code_cell(source)
        cell.execution_count = (counts or range(1, len(sources) + 1))[i]
        cell.outputs = (outputs or {}).get(i, [])
        nb.cells.append(cell)
    course.stamp(nb)
    path = tmp_path / "01_example.ipynb"
    nbformat.write(nb, str(path))
    return path


def test_a_clean_notebook_has_no_problems(tmp_path):
    assert course.check(_executed_notebook(tmp_path, ["x = 1", "print(x)"])) == []


def test_an_edited_cell_is_stale(tmp_path):
    path = _executed_notebook(tmp_path, ["x = 1", "print(x)"])
    nb = nbformat.read(str(path), as_version=4)
    nb.cells[1].source = "print(x + 1)"
    nbformat.write(nb, str(path))
    assert course.check(path) == ["01_example.ipynb cell 1: source changed since its outputs were made"]


def test_unexecuted_and_out_of_order_cells_are_reported(tmp_path):
    path = _executed_notebook(tmp_path, ["a = 1", "b = 2", "c = 3"], counts=[1, None, 5])
    problems = course.check(path)
    assert "01_example.ipynb cell 1: not executed" in problems
    assert any("cell 2: execution count 5, expected 3" in p for p in problems)


def test_errors_and_stderr_are_reported(tmp_path):
    error = nbformat.v4.new_output("error", ename="ValueError", evalue="x", traceback=[])
    stderr = nbformat.v4.new_output("stream", name="stderr", text="WARNING: noise\n")
    path = _executed_notebook(tmp_path, ["a", "b"], outputs={0: [error], 1: [stderr]})
    problems = course.check(path)
    assert problems == [
        "01_example.ipynb cell 0: error output ValueError",
        "01_example.ipynb cell 1: stderr output ['WARNING: noise']",
    ]


def test_a_kernelspec_jupyterlab_would_rewrite_is_reported(tmp_path):
    path = _executed_notebook(tmp_path, ["x = 1"])
    nb = nbformat.read(str(path), as_version=4)
    nb.metadata["kernelspec"]["display_name"] = "Python 3"
    nbformat.write(nb, str(path))
    assert len(course.check(path)) == 1 and "kernelspec" in course.check(path)[0]


def _exercise_notebook(tmp_path):
    sources = [
        "value = None\n### BEGIN SOLUTION\nvalue = 1\n### END SOLUTION",
        "### BEGIN HIDDEN TESTS\nassert value == 1\n### END HIDDEN TESTS",
    ]
    path = _executed_notebook(tmp_path, sources)
    nb = nbformat.read(str(path), as_version=4)
    nb.cells.insert(0, nbformat.v4.new_markdown_cell("## Exercises"))
    nbformat.write(nb, str(path))
    return path


def test_missing_nbgrader_metadata_is_reported_and_annotate_adds_it(tmp_path, capsys):
    path = _exercise_notebook(tmp_path)
    assert [p.split(": ", 1)[1] for p in course.check(path)] == [
        "no nbgrader metadata for its markers (run `make execute`)"
    ] * 2
    stamps = [c.metadata.get("cnnlab") for c in nbformat.read(str(path), as_version=4).cells]
    assert course.main(["annotate", str(path)]) == 0
    assert course.check(path) == []
    nb = nbformat.read(str(path), as_version=4)
    assert [c.metadata.get("cnnlab") for c in nb.cells] == stamps, "metadata only: the outputs stay current"
    assert nb.cells[1].metadata["nbgrader"]["solution"] and nb.cells[2].metadata["nbgrader"]["grade"]


def test_a_malformed_marker_is_a_problem_not_a_crash(tmp_path):
    path = _executed_notebook(tmp_path, ["### BEGIN SOLUTION\nx = 1"])
    assert any("never closed" in p for p in course.check(path))


def test_notebooks_lists_numbered_lessons_in_order(tmp_path):
    for name in ["02_b.ipynb", "01_a.ipynb", "notes.ipynb", "10_c.ipynb"]:
        (tmp_path / name).write_text("{}")
    assert [p.name for p in course.notebooks(tmp_path)] == ["01_a.ipynb", "02_b.ipynb", "10_c.ipynb"]


def test_notebooks_rejects_a_missing_directory(tmp_path):
    with pytest.raises(ValueError, match="root must be a directory"):
        course.notebooks(tmp_path / "missing")


def test_from_script_builds_markdown_code_and_tags(tmp_path):
    script = tmp_path / "lesson.py"
    script.write_text(
        "# %% [markdown]\n# # Title\n#\n# Some *text*.\n\n"
        "# %%\nimport cnnlab.notebook\ncnnlab.notebook.setup(seed=0)\n\n"
        '# %% tags=["nbval-ignore-output"]\nprint(1)\n'
    )
    out = tmp_path / "01_lesson.ipynb"
    course.from_script(script, out)
    nb = nbformat.read(str(out), as_version=4)
    nbformat.validate(nb)
    assert [c.cell_type for c in nb.cells] == ["markdown", "code", "code"]
    assert nb.cells[0].source == "# Title\n\nSome *text*."
    assert nb.cells[1].source == "import cnnlab.notebook\ncnnlab.notebook.setup(seed=0)"
    assert nb.cells[2].metadata["tags"] == ["nbval-ignore-output"]
    assert nb.metadata["kernelspec"] == course.KERNELSPEC


def test_from_script_rejects_code_before_the_first_marker(tmp_path):
    script = tmp_path / "lesson.py"
    script.write_text("x = 1\n# %%\ny = 2\n")
    with pytest.raises(ValueError, match="before the first"):
        course.from_script(script, tmp_path / "out.ipynb")


@pytest.mark.slow
def test_execute_runs_a_notebook_and_stamps_it(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("## Exercises"),
        nbformat.v4.new_code_cell("value = None\n### BEGIN SOLUTION\nvalue = 42\n### END SOLUTION"),
        nbformat.v4.new_code_cell("### BEGIN HIDDEN TESTS\nassert value == 42\n### END HIDDEN TESTS"),
        nbformat.v4.new_code_cell("import os\nprint(os.environ['CNNLAB_HEADLESS'])"),
        nbformat.v4.new_code_cell("print(6 * 7)"),
    ]
    path = tmp_path / "01_run.ipynb"
    nbformat.write(nb, str(path))
    course.execute(path)
    assert course.check(path) == []
    done = nbformat.read(str(path), as_version=4)
    assert [c.outputs[0]["text"] for c in done.cells[3:]] == ["1\n", "42\n"]
    assert done.metadata["kernelspec"] == course.KERNELSPEC
    assert done.cells[1].metadata["nbgrader"]["solution"] and done.cells[2].metadata["nbgrader"]["points"] == 1


@pytest.mark.slow
def test_build_writes_executed_copies_and_html(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = dict(course.KERNELSPEC)
    nb.cells = [nbformat.v4.new_code_cell("print('built', 6 * 7)")]
    source = tmp_path / "01_build.ipynb"
    nbformat.write(nb, str(source))
    timings = course.build([source], tmp_path / "out")
    assert list(timings) == ["01_build.ipynb"]
    executed = nbformat.read(str(tmp_path / "out" / "01_build.ipynb"), as_version=4)
    assert executed.cells[0].outputs[0]["text"] == "built 42\n"
    assert "built 42" in (tmp_path / "out" / "01_build.html").read_text()
    assert nbformat.read(str(source), as_version=4).cells[0].execution_count is None
