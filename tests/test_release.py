"""Student releases: solutions stubbed, hidden tests removed, nothing leaks.

The leak oracle is independent of ``cnnlab.release``: it reads the marked
regions with its own scan of the source notebook and looks for every
non-trivial secret line in every string of the released notebook's JSON
(sources, outputs, metadata, attachments decoded from base64).
"""

import base64
import json
import re
import subprocess
import sys

import nbformat
import pytest

from cnnlab import course, exercises
from cnnlab.__main__ import main
from cnnlab.release import Region, ReleaseError, release, release_notebook, split_regions

COURSE_NOTEBOOKS = course.notebooks()
_BEGIN = re.compile(r"^\s*(?:###|===) BEGIN (SOLUTION|HIDDEN TESTS|MARK SCHEME)(?: ===)?\s*$")
_END = re.compile(r"^\s*(?:###|===) END (SOLUTION|HIDDEN TESTS|MARK SCHEME)(?: ===)?\s*$")
SECRET_OUTPUT = "instructor output 7f3a9c"
PNG = base64.b64encode(b"\x89PNG fake image bytes for the test").decode()


def _stream(text):
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def synthetic_notebook():
    """A small lesson with every kind of marker, outputs and an attachment."""
    v4 = nbformat.v4
    nb = v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
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
            "answer = None\n### BEGIN SOLUTION\nanswer = size - 3 + 1\n"
            f"print('{SECRET_OUTPUT}')\n### END SOLUTION",
            execution_count=4,
            outputs=[_stream(SECRET_OUTPUT + "\n")],
        ),
        v4.new_code_cell(
            "assert answer is not None, 'compute answer above'\n"
            "### BEGIN HIDDEN TESTS\n"
            "assert answer == 5, 'hidden five'\n"
            "### END HIDDEN TESTS",
            execution_count=5,
        ),
        v4.new_code_cell("print(answer * 100)", execution_count=6, outputs=[_stream("500\n")]),
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


def secret_lines(nb):
    """Non-trivial lines inside marked regions, read without ``cnnlab.release``."""
    secret, public = set(), set()
    for cell in nb.cells:
        inside = False
        for line in cell.source.split("\n"):
            if _BEGIN.match(line):
                inside = True
            elif _END.match(line):
                inside = False
            else:
                (secret if inside else public).add(line.strip())
    return {line for line in secret - public if len(line) >= 4}


def all_strings(value):
    """Every string in a notebook's JSON, keys included, base64 attachments decoded."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from all_strings(item)
        for mime_bundle in value.get("attachments", {}).values():
            for data in mime_bundle.values():
                data = "".join(data) if isinstance(data, list) else data
                yield base64.b64decode(data).decode("utf-8", errors="replace")
    elif isinstance(value, list):
        for item in value:
            yield from all_strings(item)
    elif isinstance(value, str):
        yield value


def text_of(nb):
    return "\n".join(all_strings(json.loads(nbformat.writes(nb))))


def leaks(source_nb, released_nb):
    text = text_of(released_nb)
    return sorted(line for line in secret_lines(source_nb) if line in text)


def test_leak_oracle_finds_the_secrets_it_should():
    nb = synthetic_notebook()
    secrets = secret_lines(nb)
    assert "doubled = x + x" in secrets and "assert answer == 5, 'hidden five'" in secrets
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
    assert released.cells[7].source == "assert answer is not None, 'compute answer above'"


def test_markdown_solution_and_mark_scheme():
    released = release_notebook(synthetic_notebook())
    cell = released.cells[9]
    assert cell.source == "**3.** Why do strides shrink maps? ![sketch](attachment:keep.png)\n\nYOUR ANSWER HERE\n"
    assert set(cell.attachments) == {"keep.png"}


def test_outputs_cleared_only_where_they_ran_on_solutions():
    nb = synthetic_notebook()
    released = release_notebook(nb)
    assert released.cells[1].outputs == nb.cells[1].outputs and released.cells[1].execution_count == 1
    for index in (3, 4, 6, 7, 8):
        assert released.cells[index].outputs == [] and released.cells[index].execution_count is None, index
    assert nb.cells[6].outputs, "the source notebook must not be modified"


def test_nbgrader_metadata_added_or_kept_and_stamps_dropped():
    released = release_notebook(synthetic_notebook())
    answer = released.cells[3].metadata["nbgrader"]
    assert answer["solution"] is True and answer["grade"] is False and answer["locked"] is False
    assert released.cells[4].metadata["nbgrader"]["grade_id"] == "double-tests"
    assert released.cells[4].metadata["nbgrader"]["points"] == 3
    tests = released.cells[7].metadata["nbgrader"]
    assert tests["grade"] is True and tests["locked"] is True and tests["points"] == 1
    ids = [c.metadata["nbgrader"]["grade_id"] for c in released.cells if "nbgrader" in c.metadata]
    assert len(ids) == len(set(ids))
    assert "cnnlab" not in released.cells[3].metadata
    nbformat.validate(released)


def test_release_is_idempotent():
    once = release_notebook(synthetic_notebook())
    assert nbformat.writes(release_notebook(once)) == nbformat.writes(once)


def test_marker_free_nbgrader_solution_cell_is_all_solution():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("answer = 'the whole cell is the answer'")
    cell.metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": "a", "locked": False}
    nb.cells = [cell]
    released = release_notebook(nb)
    assert released.cells[0].source == "# YOUR CODE HERE\nraise NotImplementedError()"


@pytest.mark.parametrize(
    "source, message",
    [
        ("### BEGIN SOLUTION\nx = 1", "BEGIN SOLUTION is never closed"),
        ("x = 1\n### END SOLUTION", "END SOLUTION without a BEGIN"),
        ("### BEGIN SOLUTION\n### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS\n### END SOLUTION", "inside an open"),
        ("### BEGIN SOLUTION\nx = 1\n### END HIDDEN TESTS", "closes a SOLUTION region"),
        ("## BEGIN SOLUTION\nx = 1\n## END SOLUTION", "looks like a marker"),
        ("### Begin Solution\nx = 1\n### End Solution", "looks like a marker"),
        ("=== BEGIN MARK SCHEME ===\nx = 1\n=== END MARK SCHEME ===", "looks like a marker"),
    ],
)
def test_bad_markers_name_notebook_and_cell(source, message):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# t"), nbformat.v4.new_code_cell(source)]
    with pytest.raises(ReleaseError, match=rf"^lesson\.ipynb cell 1\b.*{re.escape(message)}"):
        release_notebook(nb, "lesson.ipynb")


def test_hidden_tests_marker_in_markdown_is_an_error():
    with pytest.raises(ReleaseError, match="looks like a marker"):
        split_regions("### BEGIN HIDDEN TESTS\nsecret\n### END HIDDEN TESTS", "markdown")


def test_marker_mentioned_inside_a_sentence_is_text():
    source = "Put your code between `### BEGIN SOLUTION` and `### END SOLUTION`."
    assert split_regions(source, "markdown") == (source, [])


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
        with pytest.raises(ValueError, match="out_dir must lie outside source_dir"):
            release(tmp_path, out)
    with pytest.raises(ValueError, match="source_dir must be a directory"):
        release(tmp_path / "missing", tmp_path / "out")


def test_cli_release(tmp_path, capsys):
    _write(synthetic_notebook(), tmp_path / "course" / "01_lesson.ipynb")
    assert main(["release", str(tmp_path / "course"), str(tmp_path / "out")]) == 0
    assert "released 1 notebook(s)" in capsys.readouterr().out
    bad = synthetic_notebook()
    bad.cells[7].source += "\n### BEGIN HIDDEN TESTS"
    _write(bad, tmp_path / "course" / "01_lesson.ipynb")
    assert main(["release", str(tmp_path / "course"), str(tmp_path / "out2")]) == 1
    assert "01_lesson.ipynb cell 7" in capsys.readouterr().err


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
    problems = exercises.generate("all", count=10, seed=5)
    instructor = nbformat.reads(exercises.to_notebook(problems, instructor=True), as_version=4)
    released = release_notebook(instructor, "key.ipynb")
    assert leaks(instructor, released) == []
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
    nbformat.validate(released)


def test_whole_course_releases(tmp_path):
    written = release(course.COURSE_DIR, tmp_path / "release")
    assert sorted(p.name for p in written) == sorted(
        p.name for p in course.COURSE_DIR.glob("*.ipynb")
    )


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
