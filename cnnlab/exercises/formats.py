"""Problem sets as JSON, Markdown or Jupyter notebooks (student and instructor).

Every renderer is a pure function of its arguments: the same problems give the
same bytes, so a seed reproduces a problem set file exactly.
"""

import json

from .checking import answer_token

FORMATS = ("json", "md", "ipynb")
SETUP_SOURCE = "from cnnlab.exercises import check"
BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_MARK_SCHEME, END_MARK_SCHEME = "=== BEGIN MARK SCHEME ===", "=== END MARK SCHEME ==="


def answer_name(number):
    """The variable problem ``number`` (1-based) binds: each problem its own, as otter-grader needs."""
    return f"answer_{number}"


def render(problems, format, *, instructor=False, title="Exercises", instructor_note=None):
    """``problems`` as text in ``format`` ("json", "md" or "ipynb").

    Args:
        problems: a list of ``Problem``.
        format: one of ``FORMATS``.
        instructor: include answers and explanations (Markdown and notebooks;
            JSON always has them, it is the instructor's data).
        title: the heading of a Markdown file or notebook.
        instructor_note: Markdown for the instructor copy only (the command
            line puts the seed there); in a notebook it sits in a mark-scheme
            region, which a release removes.
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}; got {format!r}")
    if format == "json":
        return to_json(problems)
    note = instructor_note if instructor else None
    if format == "md":
        return to_markdown(problems, instructor=instructor, title=title, instructor_note=note)
    return to_notebook(problems, instructor=instructor, title=title, instructor_note=note)


def to_json(problems):
    """A JSON array with one object per problem (see ``Problem.as_dict``)."""
    return json.dumps([p.as_dict() for p in problems], indent=2, ensure_ascii=False) + "\n"


def to_markdown(problems, *, instructor=False, title="Exercises", instructor_note=None):
    """A Markdown problem sheet; ``instructor=True`` adds answers and explanations."""
    parts = [f"# {title}"] + ([instructor_note] if instructor and instructor_note else [])
    for number, problem in enumerate(problems, 1):
        parts.append(f"## {number}. `{problem.id}`\n\n{problem.question}")
        if instructor:
            parts.append(f"**Answer:** `{json.dumps(problem.answer)}`\n\n{problem.explanation}")
    return "\n\n".join(parts) + "\n"


def salt_for(problem):
    """The salt of a problem's hashed check: fixed by its id, so output is reproducible."""
    return problem.id


def to_notebook(problems, *, instructor=False, title="Exercises", instructor_note=None):
    """A Jupyter notebook (nbformat 4 JSON text) with one hashed check per problem.

    Per problem ``n``: a Markdown question; an answer cell whose
    ``### BEGIN SOLUTION`` / ``### END SOLUTION`` region binds ``answer_n``
    (a placeholder for the student, the solution for the instructor); a check
    cell ``check(answer_n, "sha256:...")`` that says right or wrong without the
    answer. Each problem binds its own name, so otter-grader, which runs every
    test after the whole notebook, grades each against its own answer. The
    instructor copy adds each explanation, and ``instructor_note``, inside
    ``=== BEGIN MARK SCHEME ===`` regions, so that ``cnnlab release`` turns it
    into a student copy without leaking them. Answer and check cells carry
    nbgrader metadata (an answer cell, and a locked grade cell worth one
    point), with grade ids equal to the cell ids.
    """
    import nbformat

    from cnnlab.course import KERNELSPEC
    from cnnlab.grading.metadata import annotate

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    intro = f"# {title}\n\n" + (
        "Instructor copy: solutions and explanations included."
        if instructor
        else "Write your answer in each answer cell, then run the check cell below it: it tells "
        "you whether the answer is right without giving it away."
    )
    if instructor and instructor_note:
        intro += f"\n\n{BEGIN_MARK_SCHEME}\n{instructor_note}\n{END_MARK_SCHEME}"
    nb.cells.append(_cell(nbformat.v4.new_markdown_cell(intro), "intro"))
    nb.cells.append(_cell(nbformat.v4.new_code_cell(SETUP_SOURCE), "setup"))
    for number, problem in enumerate(problems, 1):
        name = answer_name(number)
        nb.cells.append(
            _cell(nbformat.v4.new_markdown_cell(f"## Problem {number}\n\n{problem.question}"), f"{problem.id}-question")
        )
        body = f"{name} = {problem.answer!r}" if instructor else f"{name} = ...  # your answer"
        answer_cell = nbformat.v4.new_code_cell(f"{BEGIN_SOLUTION}\n{body}\n{END_SOLUTION}")
        nb.cells.append(_cell(answer_cell, f"{problem.id}-answer"))
        token = answer_token(problem.answer, salt_for(problem))
        check_cell = nbformat.v4.new_code_cell(f'check({name}, "{token}")')
        # A grade cell without hidden tests: the hashed check is the whole test.
        check_cell.metadata["nbgrader"] = {"grade": True}
        nb.cells.append(_cell(check_cell, f"{problem.id}-check"))
        if instructor:
            scheme = f"{BEGIN_MARK_SCHEME}\n**Solution.** {problem.explanation}\n{END_MARK_SCHEME}"
            nb.cells.append(_cell(nbformat.v4.new_markdown_cell(scheme), f"{problem.id}-solution"))
    annotate(nb, "exercise set")
    return nbformat.writes(nb)


def _cell(cell, cell_id):
    # nbformat draws random cell ids; a fixed id per problem keeps output reproducible.
    cell["id"] = cell_id
    return cell
