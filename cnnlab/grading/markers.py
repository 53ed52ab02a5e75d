"""The marker grammar: which lines open and close solution, hidden-test and
mark-scheme regions, read the way nbgrader reads them, and strictly.

nbgrader takes any line that *contains* ``BEGIN SOLUTION`` (or ``END
SOLUTION``, ``BEGIN HIDDEN TESTS``, ...) as a marker and drops the whole line,
so ``### BEGIN SOLUTION  # 2 points`` is a marker to it. This module accepts
exactly the lines nbgrader would act on in the same way: optional spaces or
tabs, the canonical marker, then optional text after whitespace (dropped with
the line). Every other line that merely looks like a marker (text before it,
another case, an invisible or full-width character inside it, a marker split
by a carriage return) raises ``MarkerError``: a region that one tool strips
and another keeps would leak. Lines are split at ``\\r\\n``, ``\\r`` and
``\\n``, as Python and Jupyter split them. Nothing here imports TensorFlow.
"""

import re
import unicodedata
from typing import NamedTuple

SOLUTION, HIDDEN_TESTS, MARK_SCHEME = "SOLUTION", "HIDDEN TESTS", "MARK SCHEME"
MARKERS = {
    "### BEGIN SOLUTION": ("BEGIN", SOLUTION),
    "### END SOLUTION": ("END", SOLUTION),
    "### BEGIN HIDDEN TESTS": ("BEGIN", HIDDEN_TESTS),
    "### END HIDDEN TESTS": ("END", HIDDEN_TESTS),
    "=== BEGIN MARK SCHEME ===": ("BEGIN", MARK_SCHEME),
    "=== END MARK SCHEME ===": ("END", MARK_SCHEME),
}
# Hidden tests are code; mark schemes are text for the grader.
KINDS_BY_CELL_TYPE = {
    "code": (SOLUTION, HIDDEN_TESTS),
    "markdown": (SOLUTION, MARK_SCHEME),
    "raw": (SOLUTION, MARK_SCHEME),
}
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
TEXT_STUB = "YOUR ANSWER HERE"

_NEWLINE = re.compile(r"\r\n|\r|\n")
_PHRASE = re.compile(r"(BEGIN|END)\s*(SOLUTIONS?|HIDDEN\s*TESTS?|MARK\s*SCHEMES?)", re.IGNORECASE)
_VALID = re.compile(
    r"^(?P<indent>[ \t]*)(?P<marker>" + "|".join(re.escape(m) for m in MARKERS) + r")(?P<trail>[ \t].*)?$"
)


class MarkerError(ValueError):
    """A notebook's markers cannot be read with certainty."""


class Region(NamedTuple):
    """One marked region of a cell: its kind and the lines between the markers."""

    kind: str
    lines: list


def lines_of(source):
    """A cell source (string or list of strings) as lines, split as Python splits them."""
    if isinstance(source, list):
        source = "".join(source)
    return _NEWLINE.split(source)


def _visible(line):
    # What a reader sees: no zero-width or other format characters, full-width
    # letters folded to ASCII (NFKC), runs of blanks as one space.
    text = "".join(ch for ch in line if unicodedata.category(ch) != "Cf")
    return " ".join(unicodedata.normalize("NFKC", text).split())


def classify(line, where="cell", number=1):
    """``(verb, kind, indent)`` for a marker line, ``None`` for any other line.

    Raises:
        MarkerError: the line looks like a marker but is not exactly one.
    """
    if _PHRASE.search(_visible(line)) is None:
        return None
    match = _VALID.match(line)
    if match and not _PHRASE.search(match.group("trail") or ""):
        verb, kind = MARKERS[match.group("marker")]
        return verb, kind, match.group("indent")
    raise MarkerError(f"{where}, line {number}: {line.strip()!r} {_diagnose(line)}")


def _unusual(text):
    return sorted({f"U+{ord(ch):04X}" for ch in text if unicodedata.category(ch) == "Cf" or ord(ch) > 127})


def _diagnose(line):
    stripped = line.strip()
    for marker in MARKERS:
        if marker in stripped:
            before, _, after = stripped.partition(marker)
            if before and _unusual(before):
                return f"has the invisible character(s) {', '.join(_unusual(before))} before the marker; delete them"
            if before:
                return f"has text before the marker {marker!r}: put the marker on a line of its own"
            if _PHRASE.search(after):
                return "holds two markers: put each marker on a line of its own"
            return f"has text right after {marker!r}: separate a trailing comment by a space"
    if _unusual(line):
        return (
            f"looks like a marker but contains the character(s) {', '.join(_unusual(line))}; "
            "type markers in plain ASCII"
        )
    return f"looks like a marker but is not one of {' / '.join(repr(m) for m in MARKERS)}"


def split_regions(source, cell_type, where="cell"):
    """Parse a cell's markers.

    Args:
        source: the cell source.
        cell_type: "code", "markdown" or "raw".
        where: "notebook.ipynb cell 7", used in error messages.

    Returns:
        ``(released_source, regions)``: the source with every solution region
        replaced by its stub (at the marker's indentation) and every other
        region removed, lines joined by ``\\n``; and the list of ``Region``.

    Raises:
        MarkerError: unbalanced, nested, misspelt or misplaced markers.
    """
    allowed = KINDS_BY_CELL_TYPE.get(cell_type, ())
    kept, regions = [], []
    current, indent = None, ""
    for number, line in enumerate(lines_of(source), 1):
        marker = classify(line, where, number)
        if marker is None:
            (current.lines if current is not None else kept).append(line)
            continue
        verb, kind, marker_indent = marker
        if kind not in allowed:
            raise MarkerError(
                f"{where}, line {number}: a {kind} marker cannot stand in a {cell_type} cell "
                f"(a {cell_type} cell may hold {' and '.join(allowed) or 'no'} regions)"
            )
        if verb == "BEGIN":
            if current is not None:
                raise MarkerError(f"{where}, line {number}: BEGIN {kind} inside an open {current.kind} region")
            current, indent = Region(kind, []), marker_indent
        elif current is None:
            raise MarkerError(f"{where}, line {number}: END {kind} without a BEGIN {kind}")
        elif current.kind != kind:
            raise MarkerError(f"{where}, line {number}: END {kind} closes a {current.kind} region")
        else:
            kept.extend(stub(kind, cell_type, indent))
            regions.append(current)
            current = None
    if current is not None:
        raise MarkerError(f"{where}: BEGIN {current.kind} is never closed by END {current.kind}")
    return "\n".join(kept), regions


def stub(kind, cell_type, indent=""):
    """The lines that replace a region of ``kind`` in the student copy (none for tests and schemes)."""
    if kind != SOLUTION:
        return []
    if cell_type == "code":
        return [indent + line for line in CODE_STUB]
    return [indent + TEXT_STUB]


def kinds(source, cell_type, where="cell"):
    """The set of region kinds in a cell source."""
    return {region.kind for region in split_regions(source, cell_type, where)[1]}


def transform(source, cell_type, where="cell", *, keep=(), rewrite=None):
    """The source with regions of kinds not in ``keep`` removed, markers and all.

    Regions of a kind in ``keep`` stay; their marker lines go through
    ``rewrite(verb, kind, indent)`` (a line to write instead, or ``None`` to
    keep the marker as it is). Lines are joined by ``\\n``.
    """
    split_regions(source, cell_type, where)
    kept, dropping = [], False
    for number, line in enumerate(lines_of(source), 1):
        marker = classify(line, where, number)
        if marker is None:
            if not dropping:
                kept.append(line)
            continue
        verb, kind, indent = marker
        if kind not in keep:
            dropping = verb == "BEGIN"
            continue
        replaced = rewrite(verb, kind, indent) if rewrite else None
        kept.append(line if replaced is None else replaced)
    return "\n".join(kept)
