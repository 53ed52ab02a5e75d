"""Problem sets as JSON, Markdown or Jupyter notebooks (student and instructor).

Every renderer is a pure function of its arguments: the same problems give the
same bytes, so a seed reproduces a problem set file exactly.
"""

import json

from .checking import answer_token

FORMATS = ("json", "md", "ipynb")
SETUP_SOURCE = "from cnnlab.exercises import check"
PLACEHOLDER = "answer = ...  # your answer"
BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_MARK_SCHEME, END_MARK_SCHEME = "=== BEGIN MARK SCHEME ===", "=== END MARK SCHEME ==="
_NBGRADER_SCHEMA = 3


def render(problems, format, *, instructor=False, title="Exercises"):
    """``problems`` as text in ``format`` ("json", "md" or "ipynb").

    Args:
        problems: a list of ``Problem``.
        format: one of ``FORMATS``.
        instructor: include answers and explanations (Markdown and notebooks;
            JSON always has them, it is the instructor's data).
        title: the heading of a Markdown file or notebook.
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}; got {format!r}")
    if format == "json":
        return to_json(problems)
    if format == "md":
        return to_markdown(problems, instructor=instructor, title=title)
    return to_notebook(problems, instructor=instructor, title=title)


def to_json(problems):
    """A JSON array with one object per problem (see ``Problem.as_dict``)."""
    return json.dumps([p.as_dict() for p in problems], indent=2, ensure_ascii=False) + "\n"


def to_markdown(problems, *, instructor=False, title="Exercises"):
    """A Markdown problem sheet; ``instructor=True`` adds answers and explanations."""
    parts = [f"# {title}"]
    for number, problem in enumerate(problems, 1):
        parts.append(f"## {number}. `{problem.id}`\n\n{problem.question}")
        if instructor:
            parts.append(f"**Answer:** `{json.dumps(problem.answer)}`\n\n{problem.explanation}")
    return "\n\n".join(parts) + "\n"


def salt_for(problem):
    """The salt of a problem's hashed check: fixed by its id, so output is reproducible."""
    return problem.id


def to_notebook(problems, *, instructor=False, title="Exercises"):
    """A Jupyter notebook (nbformat 4 JSON text) with one hashed check per problem.

    Per problem: a Markdown question; an answer cell whose
    ``### BEGIN SOLUTION`` / ``### END SOLUTION`` region holds ``answer = ...``
    for the student or the solution for the instructor; a check cell
    ``check(answer, "sha256:...")`` that says right or wrong without the answer.
    The instructor copy adds each explanation inside a
    ``=== BEGIN MARK SCHEME ===`` region, so that ``cnnlab release`` (or
    nbgrader) turns it into a student copy without leaking solutions.
    Answer and check cells carry nbgrader metadata (autograded answer, and a
    locked, graded test worth one point).
    """
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    intro = (
        f"# {title}\n\n"
        + (
            "Instructor copy: solutions and explanations included."
            if instructor
            else "Write your answer in each answer cell, then run the check cell below it: it tells "
            "you whether the answer is right without giving it away."
        )
    )
    nb.cells.append(_cell(nbformat.v4.new_markdown_cell(intro), "intro"))
    nb.cells.append(_cell(nbformat.v4.new_code_cell(SETUP_SOURCE), "setup"))
    for number, problem in enumerate(problems, 1):
        nb.cells.append(
            _cell(nbformat.v4.new_markdown_cell(f"## Problem {number}\n\n{problem.question}"), f"{problem.id}-question")
        )
        body = f"answer = {problem.answer!r}" if instructor else PLACEHOLDER
        answer_cell = nbformat.v4.new_code_cell(f"{BEGIN_SOLUTION}\n{body}\n{END_SOLUTION}")
        nb.cells.append(_cell(answer_cell, f"{problem.id}-answer", solution=True))
        token = answer_token(problem.answer, salt_for(problem))
        check_cell = nbformat.v4.new_code_cell(f'check(answer, "{token}")')
        nb.cells.append(_cell(check_cell, f"{problem.id}-check", grade=True))
        if instructor:
            scheme = f"{BEGIN_MARK_SCHEME}\n**Solution.** {problem.explanation}\n{END_MARK_SCHEME}"
            nb.cells.append(_cell(nbformat.v4.new_markdown_cell(scheme), f"{problem.id}-solution"))
    return nbformat.writes(nb)


def _cell(cell, cell_id, *, solution=False, grade=False):
    # nbformat draws random cell ids; a fixed id per problem keeps output reproducible.
    cell["id"] = cell_id
    if solution or grade:
        cell.metadata["nbgrader"] = {
            "grade": grade,
            "grade_id": cell_id,
            "locked": grade,
            "schema_version": _NBGRADER_SCHEMA,
            "solution": solution,
            "task": False,
            **({"points": 1} if grade else {}),
        }
    return cell
