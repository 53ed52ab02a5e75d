"""The exercise convention (CONTRIBUTING.md): find a notebook's exercises and
say what keeps them from it.

An exercise is an **answer cell** (a code cell with a ``### BEGIN SOLUTION``
region) followed, before the next answer cell, by a **check cell** (a code
cell with a ``### BEGIN HIDDEN TESTS`` region, or an nbgrader grade cell: the
hashed checks of generated sets have no hidden part). The Markdown cells
right before the answer cell state the question. In a course notebook
exercises follow the ``## Exercises`` heading; a notebook without the heading
(a generated problem set) is all exercises.

Each exercise binds its own names: otter-grader runs every test after the
whole notebook has run, so a name that a later cell binds again would grade
the exercise against the later value. The first name an answer cell binds is
the exercise's *answer name* (otter's question name).
"""

from typing import NamedTuple

from . import names as _names
from .markers import HIDDEN_TESTS, MARK_SCHEME, SOLUTION, kinds, transform

EXERCISES_HEADING = "## Exercises"


class Exercise(NamedTuple):
    """Cell indices of one exercise: its answer cell, its check cell and its question cells."""

    answer: int
    check: int
    question: tuple = ()

    def names(self, nb):
        """The global names the answer cell binds, in order (empty for invalid Python)."""
        return _names.bound_names(nb.cells[self.answer].source) or []

    def name(self, nb):
        """The answer name: the first name the answer cell binds (``None`` when it binds none)."""
        bound = self.names(nb)
        return bound[0] if bound else None


def is_exercises_heading(cell):
    return cell.cell_type == "markdown" and any(
        line.strip() == EXERCISES_HEADING for line in cell.source.split("\n")
    )


def section_start(nb):
    """Index of the cell with the ``## Exercises`` heading (0 without one)."""
    for index, cell in enumerate(nb.cells):
        if is_exercises_heading(cell):
            return index
    return 0


def _states_a_question(cell, where):
    # The heading's cell is question text only when text follows the heading in it;
    # a cell that is all mark scheme is the grader's, not the student's.
    if MARK_SCHEME in kinds(cell.source, "markdown", where) and not transform(cell.source, "markdown", where).strip():
        return False
    if not is_exercises_heading(cell):
        return True
    after = cell.source.split(EXERCISES_HEADING, 1)[1]
    return bool(after.strip())


def _role(cell, name, index):
    if cell.cell_type != "code":
        return None
    found = kinds(cell.source, "code", f"{name} cell {index}")
    if SOLUTION in found:
        return "answer"
    nbgrader = cell.metadata.get("nbgrader", {})
    if HIDDEN_TESTS in found or (nbgrader.get("grade") and not nbgrader.get("solution")):
        return "check"
    return None


def exercises(nb, name="notebook"):
    """The exercises of ``nb`` as ``Exercise`` tuples, in order.

    Raises:
        MarkerError: a malformed marker, naming ``name`` and the cell.
    """
    found, pending, question = [], None, []
    for index in range(section_start(nb), len(nb.cells)):
        cell = nb.cells[index]
        role = _role(cell, name, index)
        if pending is None and cell.cell_type != "markdown" and role != "answer":
            # The question is the run of Markdown cells right before the answer cell.
            question = []
        if cell.cell_type == "markdown" and pending is None:
            if _states_a_question(cell, f"{name} cell {index}"):
                question.append(index)
        elif role == "answer":
            pending = index
        elif role == "check" and pending is not None:
            found.append(Exercise(pending, index, tuple(question)))
            pending, question = None, []
    return found


def exercise_issues(nb, name="notebook", minimum=2):
    """What keeps a course notebook from the exercise convention, as messages (empty: fine)."""
    if not any(is_exercises_heading(cell) for cell in nb.cells):
        return [f"{name}: no '{EXERCISES_HEADING}' heading"]
    found = exercises(nb, name)
    issues = _structure_issues(nb, name, found)
    if len(found) < minimum:
        issues.append(
            f"{name}: {len(found)} exercise(s) under '{EXERCISES_HEADING}', at least {minimum} needed "
            "(an answer cell with a solution region, then a check cell with a hidden-tests region)"
        )
    return issues + name_issues(nb, name, found) + _quiet_check_issues(nb, name, found)


def _structure_issues(nb, name, found):
    start = section_start(nb)
    in_exercise = {index for exercise in found for index in (exercise.answer, exercise.check)}
    issues = []
    for index, cell in enumerate(nb.cells):
        marked = cell.cell_type == "code" and kinds(cell.source, "code", f"{name} cell {index}")
        if not marked or index in in_exercise:
            continue
        if index < start:
            issues.append(f"{name} cell {index}: a marked region before the '{EXERCISES_HEADING}' heading")
        elif SOLUTION in marked:
            issues.append(f"{name} cell {index}: an answer cell without a check cell after it")
        else:
            issues.append(f"{name} cell {index}: a check cell that follows no answer cell")
    return issues


def name_issues(nb, name="notebook", found=None):
    """Each exercise binds its own names, its check reads them, and nothing later rebinds what a check reads."""
    found = exercises(nb, name) if found is None else found
    issues, owner = [], {}
    bindings = [_names.bound_names(cell.source) or [] if cell.cell_type == "code" else [] for cell in nb.cells]
    for number, exercise in enumerate(found, 1):
        where = f"{name} exercise {number} (cell {exercise.answer})"
        bound = exercise.names(nb)
        if not bound:
            issues.append(f"{where}: the answer cell binds no name for the check to test")
            continue
        for bound_name in bound:
            if bound_name in owner:
                issues.append(
                    f"{where}: binds {bound_name!r}, which exercise {owner[bound_name]} binds too; give each "
                    "exercise its own names (otter grades every exercise after the whole notebook has run)"
                )
            owner.setdefault(bound_name, number)
        reads = _names.read_names(nb.cells[exercise.check].source) or set()
        if not reads & set(bound):
            issues.append(f"{where}: its check cell (cell {exercise.check}) reads none of {bound}")
        later_answers = {other.answer for other in found if other.answer > exercise.check}
        for later in range(exercise.check + 1, len(nb.cells)):
            # A later exercise binding an answer name again is reported as that exercise's issue.
            shared = set(bound) if later in later_answers else set()
            for rebound in sorted((reads & set(bindings[later])) - shared):
                issues.append(
                    f"{where}: its check reads {rebound!r}, which cell {later} binds again later; "
                    "the grader would test the later value"
                )
    return issues


def _quiet_check_issues(nb, name, found):
    # A check cell's output would reveal what it tests, and otter turns any output into
    # the output its doctest expects.
    return [
        f"{name} cell {exercise.check}: the check cell prints output; checks must print nothing"
        for exercise in found
        if nb.cells[exercise.check].get("outputs")
    ]
