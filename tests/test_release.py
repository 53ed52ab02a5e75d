"""Student releases: solutions stubbed, hidden tests removed, nothing leaks
through any channel.

The leak oracle (tests/leaks.py) is independent of ``cnnlab.release``: it reads
the marked regions with its own scan and looks for every non-trivial secret
line in every string of the released notebook's JSON (sources, outputs,
metadata, attachments decoded from base64).
"""

import base64
import re
import subprocess
import sys

import nbformat
import pytest

from cnnlab import course, exercises
from cnnlab.__main__ import main
from cnnlab.release import Region, ReleaseError, release, release_notebook, split_regions
from leaks import leaks, secret_lines, text_of

COURSE_NOTEBOOKS = course.notebooks()
SECRET_OUTPUT = "instructor output 7f3a9c"
SECRET = "secret value 8d41e2"
PNG = base64.b64encode(b"\x89PNG fake image bytes for the test").decode()
v4 = nbformat.v4


def _stream(text):
    return v4.new_output("stream", name="stdout", text=text)


def synthetic_notebook():
    """A small lesson with every kind of marker, outputs and an attachment."""
    nb = v4.new_notebook()
    nb.metadata["kernelspec"] = dict(course.KERNELSPEC)
    cells = [
        v4.new_markdown_cell("# A lesson\n\nLearning goals."),
        v4.new_code_cell("size = 7\nprint(size)", execution_count=1, outputs=[_stream("7\n")]),
        v4.new_markdown_cell("## Exercises\n\n**1.** Write `double`."),
        v4.new_code_cell(
            "def double(x):\n"
            "    ### BEGIN SOLUTION\n"
            "    doubled = x + x\n"
            "    return doubled\n"
            "    ### END SOLUTION",
            execution_count=2,
        ),
        v4.new_code_cell(
            "assert double(1) is not None\n"
            "### BEGIN HIDDEN TESTS\n"
            "assert double(21) == 42, 'hidden check on the doubling'\n"
            "### END HIDDEN TESTS",
            execution_count=3,
        ),
        v4.new_markdown_cell("**2.** Output size of a 3x3 kernel on the 7x7 input?"),
        v4.new_code_cell(
            "output_size = None\n### BEGIN SOLUTION\noutput_size = size - 3 + 1\n"
            f"print('{SECRET_OUTPUT}')\n### END SOLUTION",
            execution_count=4,
            outputs=[_stream(SECRET_OUTPUT + "\n")],
        ),
        v4.new_code_cell(
            "assert output_size is not None, 'compute output_size above'\n"
            "### BEGIN HIDDEN TESTS\n"
            "assert output_size == 5, 'hidden five'\n"
            "### END HIDDEN TESTS",
            execution_count=5,
        ),
        v4.new_code_cell("print(output_size * 100)", execution_count=6, outputs=[_stream("500\n")]),
        v4.new_markdown_cell(
            "**3.** Why do strides shrink maps? ![sketch](attachment:keep.png)\n\n"
            "### BEGIN SOLUTION\n"
            "Because each step skips input positions. ![answer](attachment:secret.png)\n"
            "### END SOLUTION\n\n"
            "=== BEGIN MARK SCHEME ===\n"
            "Full marks for mentioning skipped positions.\n"
            "=== END MARK SCHEME ==="
        ),
    ]
    cells[-1]["attachments"] = {
        "keep.png": {"image/png": PNG},
        "secret.png": {"text/plain": base64.b64encode(b"Because each step skips input positions.").decode()},
    }
    cells[3].metadata["cnnlab"] = {"source_hash": "0123456789abcdef"}
    cells[4].metadata["nbgrader"] = {
        "grade": True,
        "grade_id": "double-tests",
        "locked": True,
        "points": 3,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }
    nb.cells = cells
    return nb


def _lesson(*cells, metadata=None):
    nb = v4.new_notebook()
    nb.metadata["kernelspec"] = dict(course.KERNELSPEC)
    nb.metadata.update(metadata or {})
    nb.cells = [v4.new_markdown_cell("# Lesson"), *cells]
    return nb


def test_leak_oracle_finds_the_secrets_it_should():
    nb = synthetic_notebook()
    secrets = secret_lines(nb)
    assert "doubled = x + x" in secrets and "assert output_size == 5, 'hidden five'" in secrets
    assert "Full marks for mentioning skipped positions." in secrets
    assert leaks(nb, nb) == sorted(secrets)


def test_synthetic_release_leaks_nothing():
    nb = synthetic_notebook()
    released = release_notebook(nb, "lesson.ipynb")
    assert leaks(nb, released) == []
    assert SECRET_OUTPUT not in text_of(released)


def test_solution_becomes_an_indented_stub_that_python_accepts():
    released = release_notebook(synthetic_notebook())
    source = released.cells[3].source
    assert source == "def double(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()"
    namespace = {}
    exec(compile(source, "cell", "exec"), namespace)
    with pytest.raises(NotImplementedError):
        namespace["double"](1)


def test_split_regions_reports_what_it_removed():
    source = synthetic_notebook().cells[3].source
    _, regions = split_regions(source, "code")
    assert regions == [Region("SOLUTION", ["    doubled = x + x", "    return doubled"])]


def test_hidden_tests_are_removed_and_visible_checks_kept():
    released = release_notebook(synthetic_notebook())
    assert released.cells[4].source == "assert double(1) is not None"
    assert released.cells[7].source == "assert output_size is not None, 'compute output_size above'"


def test_markdown_solution_and_mark_scheme():
    released = release_notebook(synthetic_notebook())
    cell = released.cells[9]
    assert cell.source == "**3.** Why do strides shrink maps? ![sketch](attachment:keep.png)\n\nYOUR ANSWER HERE\n"
    assert set(cell.attachments) == {"keep.png"}


def test_outputs_kept_only_before_the_exercises():
    nb = synthetic_notebook()
    released = release_notebook(nb)
    assert released.cells[1].outputs == nb.cells[1].outputs and released.cells[1].execution_count == 1
    for index in (3, 4, 6, 7, 8):
        assert released.cells[index].outputs == [] and released.cells[index].execution_count is None, index
    assert nb.cells[6].outputs, "the source notebook must not be modified"


def test_nbgrader_metadata_kept_derived_from_cell_ids_and_stamps_dropped():
    released = release_notebook(synthetic_notebook())
    answer = released.cells[3].metadata["nbgrader"]
    assert answer["solution"] is True and answer["grade"] is False and answer["locked"] is False
    assert answer["grade_id"] == released.cells[3].id
    assert released.cells[4].metadata["nbgrader"]["grade_id"] == "double-tests"
    assert released.cells[4].metadata["nbgrader"]["points"] == 3
    tests = released.cells[7].metadata["nbgrader"]
    assert tests["grade"] is True and tests["locked"] is True and tests["points"] == 1
    assert tests["grade_id"] == released.cells[7].id
    ids = [c.metadata["nbgrader"]["grade_id"] for c in released.cells if "nbgrader" in c.metadata]
    assert len(ids) == len(set(ids))
    assert all("cnnlab" not in c.metadata for c in released.cells)
    nbformat.validate(released)


def test_releasing_a_release_leaks_nothing_and_stays_valid():
    nb = synthetic_notebook()
    twice = release_notebook(release_notebook(nb))
    assert leaks(nb, twice) == []
    nbformat.validate(twice)


# --------------------------------------------------------------------------
# every channel of issue 13


def test_channel_cell_metadata():
    cell = v4.new_code_cell("answer_a = None\n### BEGIN SOLUTION\nanswer_a = 1\n### END SOLUTION")
    cell.metadata.update(
        {
            "tags": ["keep-me"],
            "instructor_notes": SECRET,
            "cnnlab": {"source_hash": "0123456789abcdef"},
            "execution": {"iopub.execute_input": SECRET},
            "jupyter": {"source_hidden": True, "note": SECRET},
            "nbgrader": {"solution": True, "grade": False, "grade_id": "a", "locked": False, "checksum": SECRET},
        }
    )
    released = release_notebook(_lesson(cell))
    metadata = released.cells[1].metadata
    assert SECRET not in text_of(released)
    assert metadata["tags"] == ["keep-me"] and metadata["jupyter"] == {"source_hidden": True}
    assert "checksum" not in metadata["nbgrader"] and metadata["nbgrader"]["grade_id"] == "a"


def test_channel_notebook_metadata_and_saved_widget_state():
    widgets = {"application/vnd.jupyter.widget-state+json": {"state": {"model": {"value": SECRET}}}}
    nb = _lesson(v4.new_code_cell("x = 1"), metadata={"widgets": widgets, "author_notes": SECRET})
    released = release_notebook(nb)
    assert set(released.metadata) == {"kernelspec"}
    assert SECRET not in text_of(released)


def test_channel_attachments_of_any_cell():
    shown = v4.new_markdown_cell("A picture: ![p](attachment:shown.png)")
    shown["attachments"] = {
        "shown.png": {"image/png": PNG},
        "unused.png": {"text/plain": base64.b64encode(SECRET.encode()).decode()},
    }
    raw = v4.new_raw_cell("notes")
    raw["attachments"] = {"hidden.png": {"text/plain": base64.b64encode(SECRET.encode()).decode()}}
    released = release_notebook(_lesson(shown, raw))
    assert set(released.cells[1].attachments) == {"shown.png"}
    assert "attachments" not in released.cells[2]
    assert SECRET not in text_of(released)


def _exercise_after(*lesson_cells):
    return _lesson(
        *lesson_cells,
        v4.new_markdown_cell("## Exercises"),
        v4.new_code_cell("value = None\n### BEGIN SOLUTION\nvalue = 41 + 1\n### END SOLUTION", execution_count=3),
        v4.new_code_cell("### BEGIN HIDDEN TESTS\nassert value == 42\n### END HIDDEN TESTS", execution_count=4),
    )


def test_channel_outputs_before_the_exercises_that_ran_after_a_solution():
    # The lesson cell ran after the solution (execution count 5) and printed its value.
    leaked = v4.new_code_cell("print(value)", execution_count=5, outputs=[_stream(SECRET + "\n")])
    nb = _exercise_after(v4.new_code_cell("x = 1", execution_count=1), leaked)
    released = release_notebook(nb)
    assert SECRET not in text_of(released)
    assert all(not c.get("outputs") for c in released.cells if c.cell_type == "code")


def test_channel_outputs_of_a_cell_edited_after_it_ran():
    cell = v4.new_code_cell("x = 1", execution_count=1, outputs=[_stream(SECRET + "\n")])
    cell.metadata["cnnlab"] = {"source_hash": course.source_hash("print(value)")}
    released = release_notebook(_exercise_after(cell))
    assert SECRET not in text_of(released)


def test_outputs_of_a_lesson_run_top_to_bottom_are_kept():
    cell = v4.new_code_cell("print(6 * 7)", execution_count=1, outputs=[_stream("42\n")])
    cell.metadata["cnnlab"] = {"source_hash": course.source_hash("print(6 * 7)")}
    released = release_notebook(_exercise_after(cell))
    assert released.cells[1].outputs == [_stream("42\n")] and released.cells[1].execution_count == 1


def test_channel_markers_followed_by_trailing_text():
    # nbgrader drops any line containing the marker, so trailing text is part of the marker.
    nb = _lesson(
        v4.new_code_cell(
            f"value = None\n### BEGIN SOLUTION  # 2 points, {SECRET}\nvalue = 42\n### END SOLUTION  (end)"
        )
    )
    released = release_notebook(nb)
    assert released.cells[1].source == "value = None\n# YOUR CODE HERE\nraise NotImplementedError()"
    assert leaks(nb, released) == [] and SECRET not in text_of(released)


@pytest.mark.parametrize("newline", ["\r", "\r\n"])
def test_channel_carriage_return_line_endings(newline):
    source = newline.join(["value = None", "### BEGIN SOLUTION", f"value = '{SECRET}'", "### END SOLUTION"])
    nb = _lesson(v4.new_code_cell(source))
    released = release_notebook(nb)
    assert SECRET not in text_of(released)
    assert released.cells[1].source == "value = None\n# YOUR CODE HERE\nraise NotImplementedError()"


@pytest.mark.parametrize(
    "marker",
    [
        "### BEGIN\u200b SOLUTION",
        "### BEGIN\u00a0SOLUTION",
        "### BEGIN SOLUTI\u200dON",
        "### \uff22EGIN SOLUTION",
        "\ufeff### BEGIN SOLUTION",
    ],
    ids=["zero-width-space", "no-break-space", "zero-width-joiner", "full-width-B", "byte-order-mark"],
)
def test_channel_invisible_characters_inside_markers_are_errors(marker):
    nb = _lesson(v4.new_code_cell(f"value = None\n{marker}\nvalue = '{SECRET}'\n### END SOLUTION"))
    with pytest.raises(ReleaseError, match=r"^lesson\.ipynb cell 1, line 2: .*U\+"):
        release_notebook(nb, "lesson.ipynb")


@pytest.mark.parametrize("cell_type", ["code", "markdown"])
def test_channel_solution_cell_without_markers(cell_type):
    make = v4.new_code_cell if cell_type == "code" else v4.new_markdown_cell
    # Even text that contains the stub is all solution: nbgrader's rule.
    cell = make(f"# YOUR CODE HERE\nraise NotImplementedError()\nvalue = '{SECRET}'")
    cell.metadata["nbgrader"] = {"solution": True, "grade": cell_type == "markdown", "grade_id": "a", "locked": False}
    released = release_notebook(_lesson(cell))
    expected = "# YOUR CODE HERE\nraise NotImplementedError()" if cell_type == "code" else "YOUR ANSWER HERE"
    assert released.cells[1].source == expected
    assert SECRET not in text_of(released)


def test_output_holding_marker_text_is_an_error():
    cell = v4.new_code_cell("print(open('key.py').read())", execution_count=1)
    cell.outputs = [_stream(f"### BEGIN SOLUTION\n{SECRET}\n### END SOLUTION\n")]
    with pytest.raises(ReleaseError, match=r"^lesson\.ipynb cell 1: its outputs hold marker text"):
        release_notebook(_exercise_after(cell), "lesson.ipynb")


@pytest.mark.parametrize(
    "source, message",
    [
        ("### BEGIN SOLUTION\nx = 1", "BEGIN SOLUTION is never closed"),
        ("x = 1\n### END SOLUTION", "END SOLUTION without a BEGIN"),
        ("### BEGIN SOLUTION\n### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS\n### END SOLUTION", "inside an open"),
        ("### BEGIN SOLUTION\nx = 1\n### END HIDDEN TESTS", "closes a SOLUTION region"),
        ("## BEGIN SOLUTION\nx = 1\n## END SOLUTION", "looks like a marker"),
        ("### Begin Solution\nx = 1\n### End Solution", "looks like a marker"),
        ("x = 1  ### BEGIN SOLUTION\ny = 2\n### END SOLUTION", "text before the marker"),
        ("### BEGIN SOLUTION ### END SOLUTION", "two markers"),
        ("### BEGIN SOLUTION:\nx = 1\n### END SOLUTION", "text right after"),
        ("=== BEGIN MARK SCHEME ===\nx = 1\n=== END MARK SCHEME ===", "cannot stand in a code cell"),
    ],
)
def test_bad_markers_name_notebook_and_cell(source, message):
    nb = _lesson(v4.new_code_cell(source))
    with pytest.raises(ReleaseError, match=rf"^lesson\.ipynb cell 1\b.*{re.escape(message)}"):
        release_notebook(nb, "lesson.ipynb")


def test_hidden_tests_marker_in_markdown_is_an_error():
    with pytest.raises(ReleaseError, match="cannot stand in a markdown cell"):
        split_regions("### BEGIN HIDDEN TESTS\nsecret\n### END HIDDEN TESTS", "markdown")


def test_marker_named_inside_a_sentence_is_an_error():
    # nbgrader would open a region at this line: the release must not read it as text.
    with pytest.raises(ReleaseError, match="text before the marker"):
        split_regions("Put your code between `### BEGIN SOLUTION` and `### END SOLUTION`.", "markdown")


# --------------------------------------------------------------------------
# directories and files


def _write(nb, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def test_release_directory_writes_notebooks_and_copies_other_files(tmp_path):
    source = tmp_path / "course"
    _write(synthetic_notebook(), source / "01_lesson.ipynb")
    _write(synthetic_notebook(), source / "part" / "02_more.ipynb")
    (source / "data.csv").write_text("a,b\n1,2\n")
    _write(synthetic_notebook(), source / ".ipynb_checkpoints" / "01_lesson-checkpoint.ipynb")
    out = tmp_path / "release"
    written = release(source, out)
    assert sorted(p.relative_to(out).as_posix() for p in written) == ["01_lesson.ipynb", "part/02_more.ipynb"]
    assert (out / "data.csv").read_text() == "a,b\n1,2\n"
    assert not (out / ".ipynb_checkpoints").exists()
    released = nbformat.read(str(out / "01_lesson.ipynb"), as_version=4)
    assert leaks(synthetic_notebook(), released) == []
    assert release(source, out) == written, "a second release replaces its own files"


def test_release_never_overwrites_a_file_it_did_not_write(tmp_path):
    _write(synthetic_notebook(), tmp_path / "course" / "01_lesson.ipynb")
    out = tmp_path / "release"
    release(tmp_path / "course", out)
    (out / "01_lesson.ipynb").write_text("my own notes")
    with pytest.raises(ValueError, match="would overwrite 01_lesson.ipynb"):
        release(tmp_path / "course", out)
    assert (out / "01_lesson.ipynb").read_text() == "my own notes"


def test_release_error_writes_nothing(tmp_path):
    source = tmp_path / "course"
    _write(synthetic_notebook(), source / "01_good.ipynb")
    bad = synthetic_notebook()
    bad.cells[3].source = bad.cells[3].source.replace("    ### END SOLUTION", "")
    _write(bad, source / "02_bad.ipynb")
    with pytest.raises(ReleaseError, match=r"02_bad\.ipynb cell 3"):
        release(source, tmp_path / "release")
    assert not (tmp_path / "release").exists()


def test_release_refuses_to_write_into_its_source(tmp_path):
    _write(synthetic_notebook(), tmp_path / "01_lesson.ipynb")
    for out in (tmp_path, tmp_path / "student"):
        with pytest.raises(ValueError, match="out must lie outside the source directory"):
            release(tmp_path, out)
    with pytest.raises(ValueError, match="does not exist"):
        release(tmp_path / "missing", tmp_path / "out")


def test_release_of_one_notebook(tmp_path):
    _write(synthetic_notebook(), tmp_path / "key.ipynb")
    assert release(tmp_path / "key.ipynb", tmp_path / "student.ipynb") == [tmp_path / "student.ipynb"]
    released = nbformat.read(str(tmp_path / "student.ipynb"), as_version=4)
    assert leaks(synthetic_notebook(), released) == []


def test_cli_release(tmp_path, capsys):
    _write(synthetic_notebook(), tmp_path / "course" / "01_lesson.ipynb")
    assert main(["release", str(tmp_path / "course"), str(tmp_path / "out")]) == 0
    assert "released 1 notebook(s)" in capsys.readouterr().out
    bad = synthetic_notebook()
    bad.cells[7].source += "\n### BEGIN HIDDEN TESTS"
    _write(bad, tmp_path / "course" / "01_lesson.ipynb")
    assert main(["release", str(tmp_path / "course"), str(tmp_path / "out2")]) == 2
    assert "01_lesson.ipynb cell 7" in capsys.readouterr().err
    assert not (tmp_path / "out2").exists()


def test_release_cli_never_imports_tensorflow(tmp_path):
    _write(synthetic_notebook(), tmp_path / "course" / "01_lesson.ipynb")
    command = [sys.executable, "-X", "importtime", "-m", "cnnlab", "release"]
    result = subprocess.run(
        command + [str(tmp_path / "course"), str(tmp_path / "out")], capture_output=True, text=True, check=True
    )
    imported = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line}
    assert {"cnnlab", "nbformat"} <= imported, "importtime output not parsed"
    assert not imported & {"tensorflow", "keras", "torch", "jax"}
    assert (tmp_path / "out" / "01_lesson.ipynb").exists()


def test_generated_instructor_notebook_releases_without_leaks():
    seed = 48213977
    problems = exercises.generate("all", count=10, seed=seed)
    text = exercises.render(problems, "ipynb", instructor=True, instructor_note=f"Seed {seed}.")
    instructor = nbformat.reads(text, as_version=4)
    released = release_notebook(instructor, "key.ipynb")
    assert leaks(instructor, released, extra=[str(seed)]) == []
    for problem in problems:
        assert problem.explanation not in text_of(released)
    checks = [c.source for c in released.cells if c.source.startswith("check(")]
    assert len(checks) == len(problems)


@pytest.mark.parametrize("path", COURSE_NOTEBOOKS, ids=lambda p: p.name)
def test_course_notebook_releases_without_leaks(path):
    nb = nbformat.read(str(path), as_version=4)
    released = release_notebook(nb, path.name)
    assert secret_lines(nb), f"{path.name} has no solution or hidden-test lines to protect"
    assert leaks(nb, released) == []
    assert any(c.get("outputs") for c in released.cells), "lesson outputs should survive: executed in order"
    nbformat.validate(released)


def test_whole_course_releases(tmp_path):
    written = release(course.COURSE_DIR, tmp_path / "release")
    assert sorted(p.name for p in written) == sorted(p.name for p in course.COURSE_DIR.glob("*.ipynb"))


def _first_error(nb):
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                return index, output.ename
    return None


def _first_stub(nb):
    stubs = (i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "raise NotImplementedError()" in c.source)
    return next(stubs)


def _runnable_examples():
    """The synthetic lesson, and the smallest course notebook when there is one."""
    examples = [pytest.param(None, id="synthetic")]
    if COURSE_NOTEBOOKS:
        smallest = min(COURSE_NOTEBOOKS, key=lambda p: p.stat().st_size)
        examples.append(pytest.param(smallest, id=smallest.name))
    return examples


@pytest.mark.slow
@pytest.mark.parametrize("path", _runnable_examples())
def test_released_notebook_runs_up_to_the_first_unsolved_exercise(tmp_path, path):
    from nbclient import NotebookClient

    if path is None:
        name, nb, directory = "synthetic", synthetic_notebook(), tmp_path
    else:
        name, nb, directory = path.name, nbformat.read(str(path), as_version=4), path.parent
    released = release_notebook(nb, name)
    client = NotebookClient(
        released,
        timeout=600,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(directory)}},
    )
    client.execute()
    stub = _first_stub(released)
    index, ename = _first_error(released)
    assert ename == "NotImplementedError", (name, index, ename)
    # A stub inside a function raises where the function is first called.
    assert index >= stub, (name, index, stub)
    ran = [c for c in released.cells[:stub] if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in ran), name
