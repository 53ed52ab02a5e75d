"""An independent leak oracle for everything a student receives.

It reads the secret lines of an instructor notebook with its own scan (not
``cnnlab.grading.markers``): every line inside a solution, hidden-test or
mark-scheme region, a marker line being any line that contains ``BEGIN`` /
``END`` plus the region's name (nbgrader's rule, so trailing text counts), lines
split as ``str.splitlines`` splits them. It then looks for those lines, and for
given extra secrets, in every string of every file handed to students: JSON
keys and values, outputs, metadata, attachments decoded from base64.
"""

import ast
import base64
import binascii
import json
import re
from pathlib import Path

_MARKER = re.compile(r"(BEGIN|END) (SOLUTION|HIDDEN TESTS|MARK SCHEME)")
MIN_LENGTH = 4


def secret_lines(nb):
    """Non-trivial lines inside marked regions that no public line repeats."""
    secret, public = set(), set()
    for cell in nb["cells"]:
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        inside = False
        for line in source.splitlines():
            match = _MARKER.search(line)
            if match:
                inside = match.group(1) == "BEGIN"
                continue
            (secret if inside else public).add(line.strip())
    lines = {line for line in secret - public if len(line) >= MIN_LENGTH}
    return lines | {form for line in lines for form in _unparsed(line)} - public


def _unparsed(line):
    # otter stores tests as ast.unparse writes them (quotes, digit separators and all).
    try:
        tree = ast.parse(line)
    except SyntaxError:
        return set()
    form = ast.unparse(tree)
    return {form} if form != line and len(form) >= MIN_LENGTH else set()


def all_strings(value):
    """Every string in parsed JSON, keys included, base64 attachment data decoded."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from all_strings(item)
        for bundle in (value.get("attachments") or {}).values():
            for data in bundle.values():
                data = "".join(data) if isinstance(data, list) else data
                try:
                    yield base64.b64decode(data).decode("utf-8", errors="replace")
                except (binascii.Error, ValueError):
                    pass
    elif isinstance(value, list):
        for item in value:
            yield from all_strings(item)
    elif isinstance(value, str):
        yield value


def text_of(nb):
    """All the text in a notebook (a NotebookNode, a dict, or notebook JSON text)."""
    if isinstance(nb, (str, bytes)):
        nb = json.loads(nb)
    return "\n".join(all_strings(json.loads(json.dumps(nb))))


def leaks(instructor_nb, received, extra=()):
    """Secret lines of ``instructor_nb`` (and ``extra`` strings) found in ``received``."""
    text = text_of(received)
    return sorted(line for line in (secret_lines(instructor_nb) | set(extra)) if line in text)


def files_text(root):
    """The text of every file under ``root``: notebooks through ``text_of``, others as decoded bytes."""
    parts = {}
    for path in sorted(Path(root).rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix == ".ipynb":
            parts[str(path)] = text_of(data.decode("utf-8"))
        else:
            parts[str(path)] = data.decode("utf-8", errors="replace")
    return parts


def leaks_in_tree(instructor_nb, root, extra=()):
    """``{file: leaked lines}`` for every file under ``root`` that holds a secret."""
    secrets = secret_lines(instructor_nb) | set(extra)
    found = {}
    for name, text in files_text(root).items():
        hits = sorted(line for line in secrets if line in text)
        if hits:
            found[name] = hits
    return found
