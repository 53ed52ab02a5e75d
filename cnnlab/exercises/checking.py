"""Hashed answer checks: tell a student right or wrong without storing the answer.

A generated student notebook holds, for each problem, a token
``"sha256:<salt>:<digest>"`` where ``digest`` is the SHA-256 of the salt and the
normalised answer, as nbgrader's hashed autotests do. ``check(answer, token)``
normalises the student's value the same way and compares digests.

The hash hides the answer from someone *reading* the notebook. It cannot stop a
student who loops ``check`` over candidate numbers: answers here are small
integers. Grade with the instructor copy (or ``cnnlab release`` + nbgrader) when
that matters.
"""

import hashlib
import json
import math
import operator

ALGORITHM = "sha256"
CORRECT = "Correct."
_FLOAT_DIGITS = 9


def normalise(answer):
    """A canonical JSON string for ``answer``, so that equal answers hash equally.

    Integers and integral floats (``28``, ``28.0``, ``numpy.int64(28)``) become
    the same integer; other floats keep 9 significant digits; tuples, lists and
    array-likes (anything with ``tolist``) become lists; ``None`` stays ``null``
    (the answer "does not fit").

    Raises:
        TypeError: ``answer`` is not a number, ``None``, a string or a sequence
            of those.
    """
    return json.dumps(_canonical(answer), separators=(",", ":"), ensure_ascii=True)


def _canonical(value):
    if value is None or isinstance(value, (bool, str)):
        return value
    if hasattr(value, "tolist") and not isinstance(value, (list, tuple)):
        return _canonical(value.tolist())
    if isinstance(value, (list, tuple)):
        return [_canonical(item) for item in value]
    try:
        return operator.index(value)
    except TypeError:
        pass
    if isinstance(value, float) or hasattr(value, "__float__"):
        number = float(value)
        if not math.isfinite(number):
            raise TypeError(f"answer must be a finite number, got {number!r}")
        if number.is_integer():
            return int(number)
        return float(f"{number:.{_FLOAT_DIGITS}g}")
    raise TypeError(
        "answer must be a number, None, a string or a list of those, "
        f"got {type(value).__name__}"
    )


def answer_token(answer, salt):
    """The token ``"sha256:<salt>:<hex digest>"`` that ``check`` compares against.

    Args:
        answer: the correct answer (see ``normalise``).
        salt: a non-empty string of letters, digits, ``-`` or ``_``.
    """
    if not isinstance(salt, str) or not salt or not salt.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"salt must be a non-empty string of letters, digits, '-' or '_', got {salt!r}")
    return f"{ALGORITHM}:{salt}:{_digest(answer, salt)}"


def _digest(answer, salt):
    return hashlib.sha256(f"{salt}:{normalise(answer)}".encode("ascii")).hexdigest()


def is_correct(answer, token):
    """True when ``answer`` matches the hashed ``token`` (see ``answer_token``)."""
    algorithm, salt, digest = _parse(token)
    try:
        return _digest(answer, salt) == digest
    except TypeError:
        return False


def _parse(token):
    parts = token.split(":") if isinstance(token, str) else []
    if len(parts) != 3 or parts[0] != ALGORITHM:
        raise ValueError(f"token must look like 'sha256:<salt>:<hex digest>', got {token!r}")
    return parts


def check(answer, token):
    """Say whether ``answer`` is right, without revealing the right answer.

    Prints ``Correct.`` when it is; raises ``AssertionError`` otherwise, so
    that "Run all" stops and autograders count the cell as failed. Returns
    None, so a check cell has no value for nbgrader to read as a score or for
    an otter doctest to expect. ``...`` (the placeholder in a fresh notebook)
    asks for an answer instead.
    """
    _parse(token)
    if answer is Ellipsis:
        raise AssertionError("Replace ... with your answer, then run this cell again.")
    if not is_correct(answer, token):
        raise AssertionError(f"Not right yet: {answer!r} is not the answer. Check your working.")
    print(CORRECT)
