"""Reading notebooks and writing outputs without surprises.

``read_notebook`` turns every way a file can fail to be a notebook (empty,
binary, not JSON, a JSON list, no cells, cells without metadata, ...) into a
``NotebookFileError`` that names the file. ``OutputTree`` writes the files of
one command under a directory and records what it wrote, so that a second run
may replace its own earlier output but never a file someone else wrote or
edited since. Nothing here imports TensorFlow.
"""

import hashlib
import json
import os
import tempfile
from pathlib import Path

MANIFEST = ".cnnlab-written.json"
_CELL_TYPES = ("code", "markdown", "raw")


class NotebookFileError(ValueError):
    """A file that should be a notebook is not one."""


def read_notebook(path):
    """The notebook at ``path`` as an ``nbformat.NotebookNode`` (version 4).

    Raises:
        NotebookFileError: the file is missing, a directory, empty, binary, not
            JSON, or JSON that is not a notebook; the message names the file.
    """
    path = Path(path)
    if not path.exists():
        raise NotebookFileError(f"{path}: no such file")
    if path.is_dir():
        raise NotebookFileError(f"{path} is a directory, not a notebook")
    data = path.read_bytes()
    if not data.strip():
        raise NotebookFileError(f"{path} is empty, not a notebook")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise NotebookFileError(f"{path} is not a notebook: it is not UTF-8 text (a binary file?)") from None
    if "\x00" in text:
        raise NotebookFileError(f"{path} is not a notebook: it holds NUL bytes (a binary file?)")
    try:
        content = json.loads(text)
    except json.JSONDecodeError as error:
        raise NotebookFileError(
            f"{path} is not a notebook: not valid JSON ({error.msg}, line {error.lineno})"
        ) from None
    return notebook_from_json(content, str(path))


def notebook_from_json(content, name="notebook"):
    """Validate parsed notebook JSON and return it as a ``NotebookNode``."""
    import nbformat

    if not isinstance(content, dict):
        raise NotebookFileError(
            f"{name} is not a notebook: its JSON is a {type(content).__name__}, not an object with 'cells'"
        )
    if content.get("nbformat") != 4:
        raise NotebookFileError(
            f"{name} is not a version 4 notebook (nbformat {content.get('nbformat')!r}); "
            "open and save it with a current Jupyter"
        )
    cells = content.get("cells")
    if not isinstance(cells, list):
        raise NotebookFileError(f"{name} is not a notebook: it has no 'cells' list")
    for index, cell in enumerate(cells):
        where = f"{name} cell {index}"
        if not isinstance(cell, dict):
            raise NotebookFileError(f"{where} is a {type(cell).__name__}, not a cell object")
        for key in ("cell_type", "source", "metadata"):
            if key not in cell:
                raise NotebookFileError(f"{where} has no {key!r}")
        if cell["cell_type"] not in _CELL_TYPES:
            raise NotebookFileError(f"{where} has cell_type {cell['cell_type']!r}, not one of {', '.join(_CELL_TYPES)}")
        source = cell["source"]
        if not (isinstance(source, str) or (isinstance(source, list) and all(isinstance(s, str) for s in source))):
            raise NotebookFileError(f"{where}: 'source' must be a string or a list of strings")
        if not isinstance(cell["metadata"], dict):
            raise NotebookFileError(f"{where}: 'metadata' must be an object")
    if not isinstance(content.get("metadata", {}), dict):
        raise NotebookFileError(f"{name}: notebook 'metadata' must be an object")
    nb = nbformat.from_dict(content)
    for cell in nb.cells:
        if isinstance(cell.source, list):
            cell.source = "".join(cell.source)
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as error:
        raise NotebookFileError(f"{name} is not a valid notebook: {error.message}") from None
    return nb


def notebook_bytes(nb):
    """A notebook as the bytes ``nbformat.write`` would store."""
    import nbformat

    return (nbformat.writes(nb) + "\n").encode("utf-8")


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def check_output_file(path, what="--out"):
    """Raise ``ValueError`` unless ``path`` can be written as a file (not a directory, no file as parent)."""
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{what} must be a file path, but {str(path)!r} is a directory")
    _check_parents(path, what)


def _check_parents(path, what):
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ValueError(f"{what}: {str(parent)!r} is a file, so {str(path)!r} cannot be created under it")
            return


def write_atomic(path, data):
    """Write bytes to ``path`` through a temporary file in the same directory."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class OutputTree:
    """The files one command writes under ``root``, recorded in ``root/.cnnlab-written.json``.

    ``write(files)`` first checks every path: a file that exists is replaced
    only when this tree wrote it and nobody changed it since (or it already
    holds the new bytes). Otherwise it raises ``ValueError`` naming the files,
    and writes nothing.
    """

    def __init__(self, root, what="output directory"):
        self.root = Path(root)
        self.what = what
        if self.root.exists() and not self.root.is_dir():
            raise ValueError(f"{what} {str(self.root)!r} exists and is not a directory")
        _check_parents(self.root, what)
        manifest = self.root / MANIFEST
        try:
            self.written = json.loads(manifest.read_text(encoding="utf-8")) if manifest.is_file() else {}
        except (ValueError, OSError):
            self.written = {}
        if not isinstance(self.written, dict):
            self.written = {}

    def conflicts(self, files):
        """Relative paths among ``files`` that writing would overwrite someone's work."""
        clashes = []
        for relative, data in files.items():
            target = self.root / relative
            if target.is_dir():
                clashes.append(f"{relative} (a directory)")
                continue
            if not target.exists():
                continue
            current = sha256(target.read_bytes())
            if current != sha256(data) and self.written.get(relative) != current:
                clashes.append(relative)
        return clashes

    def write(self, files):
        """Write ``{relative path: bytes}``; returns the written paths."""
        clashes = self.conflicts(files)
        if clashes:
            raise ValueError(
                f"{self.what} {str(self.root)!r}: would overwrite {', '.join(sorted(clashes))}, which "
                "this command did not write (or which changed since); move it away or choose another directory"
            )
        written = []
        for relative, data in files.items():
            target = self.root / relative
            if not (target.exists() and target.read_bytes() == data):
                write_atomic(target, data)
            self.written[relative] = sha256(data)
            written.append(target)
        write_atomic(self.root / MANIFEST, (json.dumps(self.written, indent=1, sort_keys=True) + "\n").encode())
        return written
