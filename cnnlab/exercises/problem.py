"""The record every topic generator produces."""

from dataclasses import dataclass
from typing import Any, NamedTuple


class Draft(NamedTuple):
    """What a topic generator returns for one random draw, before it gets an id."""

    question: str
    params: dict
    answer: Any
    explanation: str


@dataclass(frozen=True)
class Problem:
    """One generated exercise.

    Attributes:
        id: stable identifier, ``"<topic>-<set tag>-<index>"`` (see ``set_tag``).
        topic: the topic name (see ``cnnlab.exercises.TOPICS``).
        question: the problem statement, Markdown.
        params: the inputs by name, JSON-serialisable.
        answer: an int, a list of ints, or ``None`` ("does not fit").
        explanation: the worked solution, Markdown.
    """

    id: str
    topic: str
    question: str
    params: dict
    answer: Any
    explanation: str

    def as_dict(self):
        """The JSON object of the ``json`` format, keys in a fixed order."""
        return {
            "id": self.id,
            "topic": self.topic,
            "question": self.question,
            "params": self.params,
            "answer": self.answer,
            "explanation": self.explanation,
        }
