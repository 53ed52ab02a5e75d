"""An nbgrader course tree from instructor notebooks.

``write_course(notebooks, root)`` (``cnnlab nbgrader ROOT NOTEBOOK_OR_DIR...``)
writes ``root/nbgrader_config.py`` (once; later runs keep an edited one) and
``root/source/<assignment>/<notebook>.ipynb`` for each notebook: one
assignment per notebook, named after it, unless ``assignment=`` groups them.
``nbgrader generate_assignment``, ``release_assignment``, ``autograde`` and
``generate_feedback`` then run on the tree as on any nbgrader course.

nbgrader's source must be the *instructor* notebook: a student release has no
hidden tests left, and grading it would give a wrong answer full marks. Each
source notebook gets nbgrader cell metadata from its markers (grade ids are
cell ids); mark-scheme regions outside nbgrader task cells (the explanations
and the seed of a generated set) are left out, since nbgrader accepts them only
in manually graded cells; metadata nbgrader would hand on to students (saved
widget state, ``make execute`` stamps, ...) is reduced to what the student copy
keeps. Anything nbgrader would leak and this cannot remove, such as an image
attachment shown only inside a solution, is an error.
"""

import copy
import re
from pathlib import Path

from . import metadata
from .files import OutputTree, notebook_bytes, read_notebook
from .markers import CODE_STUB, MARK_SCHEME, SOLUTION, HIDDEN_TESTS, lines_of, split_regions, transform

CONFIG_NAME = "nbgrader_config.py"
CONFIG = '''\
# nbgrader configuration written by `cnnlab nbgrader`; edit it freely, it is not rewritten.
import os

c = get_config()
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = {course_id!r}
# A local exchange, so that release_assignment works out of the box; point it at
# the shared exchange (e.g. /srv/nbgrader/exchange) for a real course.
c.Exchange.root = os.path.join(c.CourseDirectory.root, "exchange")
'''
_NAME = re.compile(r"^[A-Za-z0-9_.\-]+$")


def nbgrader_source(nb, name="notebook"):
    """The instructor notebook ``nb`` made into an nbgrader source notebook (a copy).

    Raises:
        ValueError: ``nb`` looks like a student release (solution cells hold the
            stub and no solution), or holds what nbgrader would leak.
        MarkerError: a malformed marker.
    """
    from cnnlab.release import keep_shown_attachments, kept_cell_metadata, kept_notebook_metadata

    source = copy.deepcopy(nb)
    source.metadata = kept_notebook_metadata(nb.metadata)
    _refuse_student_copies(source, name)
    keep = []
    for index, cell in enumerate(source.cells):
        where = f"{name} cell {index}"
        is_task = cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("task")
        allowed = (SOLUTION, HIDDEN_TESTS, MARK_SCHEME) if is_task else (SOLUTION, HIDDEN_TESTS)
        text = transform(cell.source, cell.cell_type, where, keep=allowed)
        if not text.strip() and cell.source.strip():
            continue
        cell.source = text
        keep_shown_attachments(cell)
        _refuse_solution_only_attachments(cell, where)
        cell.metadata = kept_cell_metadata(cell.metadata)
        keep.append(cell)
    source.cells = keep
    return metadata.annotate(source, name)


def _refuse_student_copies(nb, name):
    stub = "\n".join(CODE_STUB)
    for index, cell in enumerate(nb.cells):
        solution = cell.metadata.get("nbgrader", {}).get("solution")
        if solution and cell.cell_type == "code" and stub in "\n".join(lines_of(cell.source)):
            if not split_regions(cell.source, "code", f"{name} cell {index}")[1]:
                raise ValueError(
                    f"{name} cell {index} is a stubbed solution cell: this is a student release; give nbgrader "
                    "the instructor notebook, whose hidden tests grade the answers"
                )


def _refuse_solution_only_attachments(cell, where):
    attachments = cell.get("attachments") or {}
    if not attachments:
        return
    released = split_regions(cell.source, cell.cell_type, where)[0]
    for key in attachments:
        if f"attachment:{key}" not in released:
            raise ValueError(
                f"{where}: attachment {key!r} is shown only inside a solution or mark scheme, and nbgrader "
                "would hand the attachment to students; link the image from a file instead"
            )


def assignment_name(path):
    """The nbgrader assignment a notebook becomes: its file name without ``.ipynb``."""
    return Path(path).stem


def write_course(notebooks, root, *, assignment=None, course_id="cnnlab"):
    """Write (or add to) the nbgrader course tree at ``root``.

    Args:
        notebooks: instructor notebook paths.
        root: the course directory.
        assignment: put every notebook into this one assignment (default: one
            assignment per notebook, named after it).
        course_id: nbgrader's course id, written into a new config.

    Returns:
        The written source notebook paths.

    Raises:
        ValueError: a bad name, a notebook that is not an instructor notebook,
            or a file in ``root`` this would overwrite.
        NotebookFileError: a path is not a notebook.
    """
    for value, what in ((assignment, "assignment"), (course_id, "course_id")):
        if value is not None and not _NAME.match(value):
            raise ValueError(f"{what} must be letters, digits, '_', '-' or '.', got {value!r}")
    files = {}
    for path in notebooks:
        path = Path(path)
        nb = nbgrader_source(read_notebook(path), path.name)
        folder = assignment or assignment_name(path)
        if not _NAME.match(folder):
            raise ValueError(f"{path.name}: its assignment name {folder!r} must be letters, digits, '_', '-' or '.'")
        relative = f"source/{folder}/{path.name}"
        if relative in files:
            raise ValueError(f"two notebooks named {path.name} for assignment {folder!r}")
        files[relative] = notebook_bytes(nb)
    tree = OutputTree(root, "nbgrader course directory")
    if not (Path(root) / CONFIG_NAME).exists():
        files[CONFIG_NAME] = CONFIG.format(course_id=course_id).encode()
    written = tree.write(files)
    return [path for path in written if path.suffix == ".ipynb"]
