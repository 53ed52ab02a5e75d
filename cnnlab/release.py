"""Student releases of notebooks written with nbgrader's markers.

``cnnlab release SOURCE OUT`` (or ``release(source, out)``) writes the student
copy of a notebook, or of every notebook under a directory. What a student
receives holds no solution, hidden test, mark scheme or seed, through any
channel:

- sources: each ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` region becomes
  ``# YOUR CODE HERE`` / ``raise NotImplementedError()`` (``YOUR ANSWER HERE``
  in Markdown) at the marker's indentation; hidden-test and mark-scheme regions
  are removed; a cell whose nbgrader metadata says ``solution`` but that has
  no markers is all solution (nbgrader's rule) and becomes the stub. Markers
  are read by ``cnnlab.grading.markers``: a line that merely looks like one is
  an error, never left in;
- outputs: kept only for cells before the first exercise, and only when the
  execution counts prove those cells ran first, in order, in a fresh kernel
  (so no solution had run yet) and, where a ``make execute`` stamp exists, that
  the output belongs to the source; otherwise every output is cleared;
- metadata: notebook metadata keeps only ``kernelspec`` and ``language_info``
  (saved widget state and anything else is dropped); cell metadata keeps only
  what Jupyter and nbgrader display or need (tags, nbgrader's flags and ids,
  editable/deletable, collapsed/scrolled, jupyter's hidden flags, slideshow);
- attachments: a cell keeps only the attachments its released text shows.

A last pass looks for marker text anywhere in the result (sources, outputs,
metadata); what the release cannot strip with certainty is a ``ReleaseError``
naming notebook and cell, and a release is all or nothing. Nothing here
imports TensorFlow.
"""

import copy
from pathlib import Path

from .grading import metadata as nbgrader_metadata
from .grading.convention import Exercise, exercise_issues, exercises, is_exercises_heading
from .grading.files import OutputTree, check_output_file, notebook_bytes, read_notebook, write_atomic
from .grading.markers import (
    CODE_STUB,
    HIDDEN_TESTS,
    MARK_SCHEME,
    SOLUTION,
    TEXT_STUB,
    MarkerError,
    Region,
    classify,
    lines_of,
    split_regions,
    stub,
)

ReleaseError = MarkerError
STAMP_KEY = "cnnlab"
_NOTEBOOK_METADATA = ("kernelspec", "language_info")
_CELL_METADATA = ("tags", "editable", "deletable", "collapsed", "scrolled")
_JUPYTER_FLAGS = ("source_hidden", "outputs_hidden")
_NBGRADER_KEYS = ("grade", "grade_id", "locked", "points", "schema_version", "solution", "task")
_SKIP_DIRS = {".ipynb_checkpoints", "__pycache__"}

__all__ = [
    "CODE_STUB",
    "Exercise",
    "HIDDEN_TESTS",
    "MARK_SCHEME",
    "Region",
    "ReleaseError",
    "SOLUTION",
    "TEXT_STUB",
    "exercise_issues",
    "exercises",
    "release",
    "release_notebook",
    "split_regions",
]


def release_notebook(nb, name="notebook"):
    """The student copy of a notebook (``nbformat.NotebookNode``); ``nb`` is unchanged.

    Raises:
        ReleaseError: a marker problem, or text the release cannot strip with
            certainty, naming ``name`` and the cell index.
    """
    released = copy.deepcopy(nb)
    released.metadata = kept_notebook_metadata(nb.metadata)
    boundary = _first_exercise_cell(nb, name)
    keep_outputs = boundary if _ran_first_in_order(nb.cells[:boundary]) else 0
    derived = _derived_nbgrader_metadata(nb, name)
    for index, cell in enumerate(released.cells):
        where = f"{name} cell {index}"
        source, regions = split_regions(cell.source, cell.cell_type, where)
        if not regions and cell.metadata.get("nbgrader", {}).get("solution"):
            source = "\n".join(stub(SOLUTION, cell.cell_type))
            if lines_of(cell.source) != source.split("\n"):
                regions = [Region(SOLUTION, lines_of(cell.source))]
        if regions:
            cell.source = source
        cell.metadata = kept_cell_metadata(cell.metadata, derived.get(index))
        keep_shown_attachments(cell)
        if cell.cell_type == "code" and (regions or index >= keep_outputs):
            cell.outputs = []
            cell.execution_count = None
    _refuse_leftover_markers(released, name)
    return released


def _first_exercise_cell(nb, name):
    for index, cell in enumerate(nb.cells):
        flags = cell.metadata.get("nbgrader", {})
        marked = split_regions(cell.source, cell.cell_type, f"{name} cell {index}")[1]
        if marked or is_exercises_heading(cell) or any(flags.get(k) for k in ("solution", "grade", "task")):
            return index
    return len(nb.cells)


def _ran_first_in_order(cells):
    """True when the code cells' execution counts are 1, 2, 3, ... in order, with current stamps."""
    from .course import source_hash

    expected = 1
    for cell in cells:
        if cell.cell_type != "code":
            continue
        if cell.execution_count is None:
            if cell.get("outputs"):
                return False
            continue
        if cell.execution_count != expected:
            return False
        expected += 1
        stamp = cell.metadata.get(STAMP_KEY, {})
        if isinstance(stamp, dict) and "source_hash" in stamp and stamp["source_hash"] != source_hash(cell.source):
            return False
    return True


def _derived_nbgrader_metadata(nb, name):
    try:
        return nbgrader_metadata.expected(nb, name)
    except ValueError as error:
        if isinstance(error, MarkerError):
            raise
        return {}


def kept_notebook_metadata(metadata):
    """The notebook metadata a student copy keeps: kernelspec and language_info (no widget state)."""
    return {key: copy.deepcopy(metadata[key]) for key in _NOTEBOOK_METADATA if key in metadata}


def kept_cell_metadata(metadata, derived=None):
    """The cell metadata a student copy keeps (``derived``: nbgrader metadata to use when it has none)."""
    kept = {key: copy.deepcopy(metadata[key]) for key in _CELL_METADATA if key in metadata}
    jupyter = metadata.get("jupyter")
    if isinstance(jupyter, dict) and any(key in jupyter for key in _JUPYTER_FLAGS):
        kept["jupyter"] = {key: bool(jupyter[key]) for key in _JUPYTER_FLAGS if key in jupyter}
    slideshow = metadata.get("slideshow")
    if isinstance(slideshow, dict) and isinstance(slideshow.get("slide_type"), str):
        kept["slideshow"] = {"slide_type": slideshow["slide_type"]}
    nbgrader = metadata.get("nbgrader") or derived
    if isinstance(nbgrader, dict):
        kept["nbgrader"] = {key: copy.deepcopy(nbgrader[key]) for key in _NBGRADER_KEYS if key in nbgrader}
    return kept


def keep_shown_attachments(cell):
    """Drop the attachments a cell's text does not show (in place)."""
    attachments = cell.get("attachments")
    if attachments is None:
        return
    shown = {key: value for key, value in attachments.items() if f"attachment:{key}" in cell.source}
    if shown:
        cell["attachments"] = shown
    else:
        del cell["attachments"]


def _strings(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def _refuse_leftover_markers(nb, name):
    for index, cell in enumerate(nb.cells):
        parts = {"outputs": cell.get("outputs", []), "metadata": cell.metadata, "attachments": cell.get("attachments", {})}
        for part, value in parts.items():
            if any(_looks_like_marker(line) for text in _strings(value) for line in lines_of(text)):
                raise ReleaseError(
                    f"{name} cell {index}: its {part} hold marker text; the release cannot tell what of it "
                    "is secret: clear or remove it in the source"
                )
    if any(_looks_like_marker(line) for text in _strings(nb.metadata) for line in lines_of(text)):
        raise ReleaseError(f"{name}: the notebook metadata holds marker text")


def _looks_like_marker(line):
    try:
        return classify(line) is not None
    except MarkerError:
        return True


def _notebooks_and_files(source_dir):
    notebooks, files = [], []
    for path in sorted(source_dir.rglob("*")):
        relative = path.relative_to(source_dir)
        if any(part in _SKIP_DIRS or part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        (notebooks if path.suffix == ".ipynb" else files).append(relative)
    return notebooks, files


def release(source, out):
    """Write the student copy of ``source`` (a notebook, or a directory of them) to ``out``.

    A directory is released to a directory: notebooks released, other files
    copied, everything checked in memory first, so a problem writes nothing.
    ``out`` may hold an earlier release (its files are replaced) but nothing
    else this would overwrite. A single notebook is released to ``out`` when
    that is a new ``.ipynb`` path, or into ``out`` when that is a directory.

    Returns:
        The written notebook paths.

    Raises:
        ValueError: ``source`` is missing; ``out`` is an existing file, lies
            inside ``source``, or holds files the release did not write.
        NotebookFileError: a source notebook is not a notebook.
        ReleaseError: a notebook cannot be released with certainty.
    """
    source, out = Path(source), Path(out)
    if not source.exists():
        raise ValueError(f"source {str(source)!r} does not exist")
    if source.is_file():
        return _release_file(source, out)
    source_abs, out_abs = source.resolve(), out.resolve()
    if out_abs == source_abs or source_abs in out_abs.parents:
        raise ValueError(f"out must lie outside the source directory {str(source)!r}, got {str(out)!r}")
    if out.exists() and not out.is_dir():
        raise ValueError(f"out {str(out)!r} is an existing file; a release never overwrites one")
    written = OutputTree(out, "release directory").write(released_files(source))
    return [path for path in written if path.suffix == ".ipynb"]


def released_files(source_dir):
    """``{relative path: bytes}`` of the student copy of a directory, built in memory.

    Raises:
        NotebookFileError: a notebook that is not a notebook.
        ReleaseError: a notebook that cannot be released with certainty.
    """
    source_dir = Path(source_dir)
    notebooks, others = _notebooks_and_files(source_dir)
    files = {}
    for relative in notebooks:
        nb = read_notebook(source_dir / relative)
        files[relative.as_posix()] = notebook_bytes(release_notebook(nb, relative.as_posix()))
    for relative in others:
        files[relative.as_posix()] = (source_dir / relative).read_bytes()
    return files


def _release_file(source, out):
    data = notebook_bytes(release_notebook(read_notebook(source), source.name))
    if out.is_dir():
        return OutputTree(out, "release directory").write({source.name: data})
    if out.exists():
        raise ValueError(f"out {str(out)!r} is an existing file; a release never overwrites one")
    if out.suffix != ".ipynb":
        raise ValueError(f"out must be a new .ipynb path or a directory, got {str(out)!r}")
    check_output_file(out, "out")
    write_atomic(out, data)
    return [out]
