"""otter-grader master notebooks from instructor notebooks.

``master_notebook(nb, assignment)`` (``cnnlab otter OUT NOTEBOOK_OR_DIR...``)
rewrites a notebook in otter-grader's own format ("otter assign", v1): a raw
``# ASSIGNMENT CONFIG`` cell first, then for each exercise

    raw   # BEGIN QUESTION / name: <answer name> / points: N / all_or_nothing: true
    the question's Markdown cells
    raw   # BEGIN SOLUTION
    the answer cell, its markers as otter's ``# BEGIN SOLUTION`` / ``# END SOLUTION``
    the exercise's mark-scheme text, as a Markdown solution cell (instructor only)
    raw   # END SOLUTION
    raw   # BEGIN TESTS
    the check cell's public lines, a public test
    ``# HIDDEN`` + the public lines before the hidden region + the hidden lines
    raw   # END TESTS
    raw   # END QUESTION

Tests are OK-format doctests: a test passes when it raises nothing and prints
what the instructor's check cell printed (course check cells print nothing;
``cnnlab.exercises.check`` prints ``Correct.``). ``all_or_nothing`` scores a
question like nbgrader scores its check cell. The answer name is the first name
the answer cell binds; the exercise convention (``cnnlab.grading.convention``)
guarantees each exercise its own names, which otter needs because it runs every
test after the whole notebook. Then ``otter assign MASTER DIST`` writes the
student notebook and the autograder, and ``otter run -a AUTOGRADER.zip
SUBMISSION.ipynb`` grades without Docker.
"""

import ast
import copy
import re
from pathlib import Path

from .convention import exercises, name_issues
from .files import OutputTree, notebook_bytes, read_notebook
from .markers import HIDDEN_TESTS, MARK_SCHEME, SOLUTION, kinds, lines_of, split_regions, transform

# Line endings otter acts on in any cell; an instructor's line ending so would be rewritten.
_OTTER_SUFFIXES = re.compile(
    r"#\s*(SOLUTION( NO PROMPT)?|SEED|IGNORE|(BEGIN|END) (PROMPT|IGNORE|SOLUTION|TEST CONFIG))\s*$", re.IGNORECASE
)
_OTTER_BOUNDARY = re.compile(r"^\s*#\s*(BEGIN|END)\s+(QUESTION|SOLUTION|TESTS|PROMPT)|^\s*#\s*(ASSIGNMENT CONFIG|IGNORE)", re.I)
_NAME = re.compile(r"^[A-Za-z0-9_\-]+$")


class OtterExportError(ValueError):
    """A notebook that cannot become an otter master notebook as it is."""


def _raw(text):
    import nbformat

    return nbformat.v4.new_raw_cell(text)


def _question_config(name, points):
    return f"# BEGIN QUESTION\nname: {name}\npoints: {points}\nall_or_nothing: true"


def _assignment_config(assignment):
    return (
        "# ASSIGNMENT CONFIG\n"
        f"name: {assignment}\n"
        "init_cell: true\n"
        "check_all_cell: false\n"
        "export_cell: false\n"
    )


def _otter_marker(verb, kind, indent):
    return f"{indent}# {verb} SOLUTION"


def _expected_output(cell):
    if cell.get("execution_count") is not None:
        text = ""
        for output in cell.get("outputs", []):
            text += "".join(output.get("text", ""))
            plain = output.get("data", {}).get("text/plain")
            text += "".join(plain) if isinstance(plain, list) else (plain or "")
        return text
    return _printed_by_hashed_check(cell.source)


def _printed_by_hashed_check(source):
    # Generated sets are not executed: their one check call prints CORRECT when right.
    from cnnlab.exercises.checking import CORRECT

    try:
        body = ast.parse(source).body
    except SyntaxError:
        return ""
    calls = [s for s in body if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call)]
    single = len(body) == 1 and calls and getattr(calls[0].value.func, "id", None) == "check"
    return CORRECT + "\n" if single else ""


def _test_cells(check_cell, where):
    import nbformat

    before, hidden, after, inside = [], [], [], None
    for line in lines_of(check_cell.source):
        stripped = line.strip()
        if stripped.startswith("### BEGIN HIDDEN TESTS"):
            inside = True
            continue
        if stripped.startswith("### END HIDDEN TESTS"):
            inside = False
            continue
        (hidden if inside else after if inside is False else before).append(line)
    public = "\n".join(before + after).strip("\n")
    cells = []
    if public.strip():
        test = nbformat.v4.new_code_cell(public)
        expected = _expected_output(check_cell)
        if expected:
            test.outputs = [nbformat.v4.new_output("stream", name="stdout", text=expected)]
        cells.append(test)
    if any(line.strip() for line in hidden):
        cells.append(nbformat.v4.new_code_cell("# HIDDEN\n" + "\n".join(before + hidden).strip("\n")))
    if not cells:
        raise OtterExportError(f"{where}: the check cell holds no test")
    return cells


def _points(cell):
    points = cell.metadata.get("nbgrader", {}).get("points", 1)
    return points if isinstance(points, (int, float)) and not isinstance(points, bool) and points > 0 else 1


def _scheme_text(cell, where):
    _, regions = split_regions(cell.source, cell.cell_type, where)
    return "\n\n".join("\n".join(region.lines).strip() for region in regions if region.kind == MARK_SCHEME)


def master_notebook(nb, assignment, name="notebook"):
    """The otter master notebook for instructor notebook ``nb`` (a new notebook).

    Raises:
        OtterExportError: the notebook breaks the exercise convention (reused
            names, answers without checks), has written (Markdown) answers,
            which this export does not grade, or has lines otter would rewrite.
        MarkerError: a malformed marker.
    """
    import nbformat

    from cnnlab.release import keep_shown_attachments, kept_cell_metadata, kept_notebook_metadata

    if not _NAME.match(assignment):
        raise OtterExportError(f"assignment must be letters, digits, '_' or '-', got {assignment!r}")
    found = exercises(nb, name)
    problems = name_issues(nb, name, found)
    if problems:
        raise OtterExportError("; ".join(problems))
    if not found:
        raise OtterExportError(f"{name} has no exercises (an answer cell with a solution region, then a check cell)")
    first_question = {exercise.question[0] if exercise.question else exercise.answer: exercise for exercise in found}
    roles = {}
    for number, exercise in enumerate(found):
        end = found[number + 1].question[0] if number + 1 < len(found) and found[number + 1].question else (
            found[number + 1].answer if number + 1 < len(found) else len(nb.cells)
        )
        for index in range(exercise.check + 1, end):
            cell = nb.cells[index]
            if cell.cell_type != "code" and kinds(cell.source, cell.cell_type, f"{name} cell {index}") == {MARK_SCHEME}:
                if not transform(cell.source, cell.cell_type, keep=()).strip():
                    roles[index] = ("scheme", exercise)
    schemes = {}
    for index, (_, exercise) in roles.items():
        schemes.setdefault(exercise.answer, []).append(_scheme_text(nb.cells[index], f"{name} cell {index}"))

    cells = [_raw(_assignment_config(assignment))]
    answers = {exercise.answer: exercise for exercise in found}
    checks = {exercise.check: exercise for exercise in found}
    for index, original in enumerate(nb.cells):
        where = f"{name} cell {index}"
        if index in roles:
            continue
        cell = copy.deepcopy(original)
        cell.metadata = kept_cell_metadata(cell.metadata)
        cell.metadata.pop("nbgrader", None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        if index in first_question:
            exercise = first_question[index]
            question_name = exercise.name(nb)
            if not _NAME.match(question_name):
                raise OtterExportError(f"{where}: answer name {question_name!r} cannot name an otter question")
            cells.append(_raw(_question_config(question_name, _points(nb.cells[exercise.check]))))
        if index in answers:
            cell.source = transform(cell.source, "code", where, keep=(SOLUTION,), rewrite=_otter_marker)
            cells += [_raw("# BEGIN SOLUTION"), cell]
            cells += [nbformat.v4.new_markdown_cell(text) for text in schemes.get(index, [])]
            cells.append(_raw("# END SOLUTION"))
            continue
        if index in checks:
            cells += [_raw("# BEGIN TESTS"), *_test_cells(original, where), _raw("# END TESTS"), _raw("# END QUESTION")]
            continue
        found_kinds = kinds(cell.source, cell.cell_type, where)
        if SOLUTION in found_kinds:
            raise OtterExportError(
                f"{where}: a solution region outside a code exercise; this export grades code exercises only"
            )
        if HIDDEN_TESTS in found_kinds:
            raise OtterExportError(f"{where}: hidden tests outside an exercise's check cell")
        cell.source = transform(cell.source, cell.cell_type, where, keep=())
        keep_shown_attachments(cell)
        _refuse_otter_syntax(cell, where)
        cells.append(cell)
    master = nbformat.v4.new_notebook()
    master.metadata = kept_notebook_metadata(nb.metadata)
    master.cells = cells
    return master


def _refuse_otter_syntax(cell, where):
    source_lines = lines_of(cell.source)
    if cell.cell_type == "raw":
        raise OtterExportError(f"{where}: a raw cell; otter reads raw cells as its own boundaries")
    if _OTTER_BOUNDARY.match(source_lines[0]):
        raise OtterExportError(f"{where}: its first line {source_lines[0].strip()!r} is otter syntax; reword it")
    for line in source_lines:
        if cell.cell_type == "code" and _OTTER_SUFFIXES.search(line):
            raise OtterExportError(f"{where}: {line.strip()!r} ends the way otter marks its own lines; reword it")


def write_masters(notebooks, out):
    """Write ``out/<name>/<name>.ipynb``, the otter master of each notebook; returns the paths."""
    files = {}
    for path in notebooks:
        path = Path(path)
        master = master_notebook(read_notebook(path), path.stem, path.name)
        relative = f"{path.stem}/{path.name}"
        if relative in files:
            raise OtterExportError(f"two notebooks named {path.name}")
        files[relative] = notebook_bytes(master)
    return OutputTree(out, "otter directory").write(files)
