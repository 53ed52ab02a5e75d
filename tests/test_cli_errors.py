"""The cnnlab command never shows a traceback for a user mistake: a one-line
message on standard error, exit status 2, and nothing written."""

import json
import os
import subprocess
import sys

import nbformat
import pytest

from cnnlab.__main__ import main

NOT_NOTEBOOKS = {
    "empty": b"",
    "blank": b"  \n",
    "binary": bytes(range(256)),
    "nul-bytes": b'{"cells": []}\x00',
    "not-json": b"cells: []",
    "a-list": b"[1, 2, 3]",
    "a-string": b'"notebook"',
    "no-cells": json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}}).encode(),
    "cells-not-a-list": json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": {}}).encode(),
    "cell-without-metadata": json.dumps(
        {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "markdown", "source": "x"}]}
    ).encode(),
    "cell-not-an-object": json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [3]}).encode(),
    "unknown-cell-type": json.dumps(
        {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
         "cells": [{"cell_type": "picture", "source": "", "metadata": {}}]}
    ).encode(),
    "nbformat-3": json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": []}).encode(),
}


def _lesson(path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("## Exercises"),
        nbformat.v4.new_code_cell("value = None\n### BEGIN SOLUTION\nvalue = 1\n### END SOLUTION"),
        nbformat.v4.new_code_cell("### BEGIN HIDDEN TESTS\nassert value == 1\n### END HIDDEN TESTS"),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def _snapshot(root):
    return sorted(
        (p.relative_to(root).as_posix(), p.read_bytes() if p.is_file() else None) for p in root.rglob("*")
    )


def _fails_cleanly(argv, capsys, *must_say):
    assert main(argv) == 2
    captured = capsys.readouterr()
    error = captured.err.strip()
    assert error.startswith(f"cnnlab {argv[0]}: error: ") and "Traceback" not in captured.err, captured.err
    assert len(error.splitlines()) == 1, error
    for text in must_say:
        assert text in error, error
    return error


@pytest.mark.parametrize("kind", NOT_NOTEBOOKS)
@pytest.mark.parametrize("command", ["release", "nbgrader", "otter"])
def test_a_file_that_is_not_a_notebook(tmp_path, capsys, kind, command):
    source = tmp_path / "src"
    source.mkdir()
    bad = source / "02_broken.ipynb"
    bad.write_bytes(NOT_NOTEBOOKS[kind])
    _lesson(source / "01_good.ipynb")
    before = _snapshot(tmp_path)
    out = tmp_path / "out"
    argv = [command, str(source), str(out)] if command == "release" else [command, str(out), str(source)]
    _fails_cleanly(argv, capsys, "02_broken.ipynb")
    assert _snapshot(tmp_path) == before and not out.exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["exercises", "--topic", "memory", "--count", "2", "--out", "{dir}"],
        ["exercises", "--topic", "memory", "--count", "2", "--out", "{file}/set.ipynb"],
    ],
    ids=["out-is-a-directory", "out-parent-is-a-file"],
)
def test_exercises_out_that_cannot_be_a_file(tmp_path, capsys, argv):
    (tmp_path / "dir").mkdir()
    (tmp_path / "file").write_text("notes")
    before = _snapshot(tmp_path)
    argv = [a.format(dir=tmp_path / "dir", file=tmp_path / "file") for a in argv]
    _fails_cleanly(argv, capsys, "--out")
    assert _snapshot(tmp_path) == before


def test_release_into_an_existing_file(tmp_path, capsys):
    _lesson(tmp_path / "course" / "01_lesson.ipynb")
    (tmp_path / "notes.txt").write_text("mine")
    before = _snapshot(tmp_path)
    _fails_cleanly(["release", str(tmp_path / "course"), str(tmp_path / "notes.txt")], capsys, "existing file")
    _fails_cleanly(
        ["release", str(tmp_path / "course" / "01_lesson.ipynb"), str(tmp_path / "notes.txt")], capsys, "existing file"
    )
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize("command", ["release", "nbgrader", "otter"])
def test_output_under_a_file(tmp_path, capsys, command):
    _lesson(tmp_path / "course" / "01_lesson.ipynb")
    (tmp_path / "file").write_text("mine")
    out = tmp_path / "file" / "out"
    argv = [command, str(tmp_path / "course"), str(out)] if command == "release" else [command, str(out), str(tmp_path / "course")]
    before = _snapshot(tmp_path)
    _fails_cleanly(argv, capsys, "is a file")
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize("command", ["release", "nbgrader", "otter"])
def test_missing_source(tmp_path, capsys, command):
    argv = [command, str(tmp_path / "nothing"), str(tmp_path / "out")]
    if command != "release":
        argv = [command, str(tmp_path / "out"), str(tmp_path / "nothing")]
    _fails_cleanly(argv, capsys, "does not exist")
    assert not (tmp_path / "out").exists()


def test_workspace_that_is_a_file(tmp_path, capsys):
    _lesson(tmp_path / "course" / "01_lesson.ipynb")
    (tmp_path / "workspace").write_text("mine")
    _fails_cleanly(["workspace", "--course", str(tmp_path / "course"), "--dir", str(tmp_path / "workspace")], capsys)
    assert (tmp_path / "workspace").read_text() == "mine"


def test_the_installed_command_exits_2_without_a_traceback(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "x.ipynb").write_text("[]")
    result = subprocess.run(
        [sys.executable, "-m", "cnnlab", "release", str(tmp_path / "src"), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env={**os.environ},
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "x.ipynb is not a notebook: its JSON is a list" in result.stderr
