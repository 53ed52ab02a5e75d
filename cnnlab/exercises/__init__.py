"""Randomised exercises on CNN arithmetic, for instructors; never imports TensorFlow.

``generate(topic, count, seed)`` draws reproducible problems whose answers are
computed with ``cnnlab.shapes``; ``render`` writes them as JSON, Markdown or a
student / instructor notebook; ``check`` is the hashed answer check the student
notebooks call. The command line is ``cnnlab exercises`` (``python -m cnnlab``).

Example:
    >>> from cnnlab import exercises
    >>> problems = exercises.generate("conv-output", count=3, seed=1)
    >>> text = exercises.render(problems, "md", instructor=True)
"""

from .checking import answer_token, check, is_correct, normalise
from .formats import FORMATS, answer_name, render, to_json, to_markdown, to_notebook
from .problem import Problem
from .topics import ALL, TOPICS, Topic, describe, generate, set_tag

__all__ = [
    "ALL",
    "FORMATS",
    "TOPICS",
    "Problem",
    "Topic",
    "answer_name",
    "answer_token",
    "check",
    "describe",
    "generate",
    "is_correct",
    "normalise",
    "render",
    "set_tag",
    "to_json",
    "to_markdown",
    "to_notebook",
]
