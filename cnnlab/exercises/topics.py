"""The topic registry and ``generate``: seeded, reproducible problem sets."""

import hashlib
import random
from typing import Callable, NamedTuple

from . import costs, geometry
from .problem import Problem

ALL = "all"
MAX_COUNT = 10_000
_MAX_REDRAWS = 100


class Topic(NamedTuple):
    """A kind of problem: its name, what it asks, the answer's form, its generator."""

    name: str
    summary: str
    answer_form: str
    make: Callable


TOPICS = {
    topic.name: topic
    for topic in (
        Topic(
            "conv-output",
            "output size of a convolution from input size, kernel, stride, padding and dilation; "
            "some strides do not fit (strict convention)",
            "an integer, or None when the stride does not fit",
            geometry.conv_output,
        ),
        Topic(
            "conv-params",
            "trainable parameters of a convolution layer, with or without bias",
            "an integer",
            costs.conv_params,
        ),
        Topic(
            "pool-output",
            "output shape of max pooling, 'valid' or 'same' padding",
            "[height, width, channels]",
            geometry.pool_output,
        ),
        Topic(
            "transposed-conv-output",
            "output shape of Conv2DTranspose (Keras' convention), with and without output_padding",
            "[height, width, channels]",
            geometry.transposed_conv_output,
        ),
        Topic(
            "receptive-field",
            "receptive field of a stack of convolutions and poolings with strides and dilations",
            "an integer",
            geometry.receptive_field,
        ),
        Topic(
            "fc-vs-conv-params",
            "parameters of a convolution against a fully-connected layer with the same input and output sizes",
            "[conv_parameters, dense_parameters]",
            costs.fc_vs_conv_params,
        ),
        Topic(
            "stacked-3x3",
            "receptive field and parameter saving of stacked 3x3 convolutions against one large kernel (VGG)",
            "[receptive_field, stack_parameters, single_parameters]",
            geometry.stacked_3x3,
        ),
        Topic(
            "bottleneck-macs",
            "multiply-accumulates saved by a 1x1 reduction before a 3x3 or 5x5 convolution (GoogLeNet)",
            "[direct_macs, bottleneck_macs]",
            costs.bottleneck_macs,
        ),
        Topic(
            "densenet-channels",
            "channels after a dense block (c0 + k*l) and after a compressing transition",
            "[block_channels, transition_channels]",
            costs.densenet_channels,
        ),
        Topic(
            "memory",
            "bytes of a convolution's output activation for a batch and a dtype",
            "an integer (bytes)",
            costs.memory,
        ),
    )
}


def describe():
    """A printable list of the topics, what each asks and the form of its answer."""
    width = max(len(name) for name in TOPICS)
    lines = []
    for topic in TOPICS.values():
        lines.append(f"{topic.name:<{width}}  {topic.summary}")
        lines.append(f"{'':<{width}}  answer: {topic.answer_form}")
    lines.append(f"{ALL:<{width}}  every topic in turn")
    return "\n".join(lines)


def _check_arguments(topic, count, seed):
    if topic != ALL and topic not in TOPICS:
        raise ValueError(f"topic must be one of {', '.join([*TOPICS, ALL])}; got {topic!r}")
    for name, value, low, high in (("count", count, 1, MAX_COUNT), ("seed", seed, 0, None)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int, got {type(value).__name__}")
        if value < low or (high is not None and value > high):
            allowed = f"between {low} and {high}" if high is not None else f">= {low}"
            raise ValueError(f"{name} must be {allowed}, got {value}")


def _rng(seed, topic, index, attempt):
    # A hash rather than Python's hash() or a str seed: the same on every
    # interpreter and platform, so a seed names the same problems everywhere.
    key = f"cnnlab.exercises:{seed}:{topic}:{index}:{attempt}".encode("ascii")
    return random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))


def set_tag(seed):
    """Eight hex digits naming the problem set of ``seed`` without revealing it.

    Problem ids (and so student notebooks, cell ids and check salts) carry the
    tag, not the seed: a student who read the seed could regenerate the
    instructor copy. With a large secret seed the tag cannot be traced back.
    """
    return hashlib.sha256(f"cnnlab.exercises.set:{seed}".encode("ascii")).hexdigest()[:8]


def generate(topic, count=10, seed=0):
    """``count`` problems of ``topic`` (or ``"all"`` topics in turn), reproducibly.

    Problem ``i`` depends only on ``(topic, seed, i)`` and the problems before
    it (it is redrawn when it repeats an earlier one), so a longer set with the
    same seed starts with the shorter one.

    Args:
        topic: a name from ``TOPICS``, or ``"all"``.
        count: number of problems, 1 to 10,000.
        seed: int >= 0.

    Returns:
        A list of ``Problem``.

    Example:
        >>> [p.id for p in generate("conv-output", count=2, seed=7)]
        ['conv-output-b3ba2b0e-001', 'conv-output-b3ba2b0e-002']
    """
    _check_arguments(topic, count, seed)
    names = list(TOPICS) if topic == ALL else [topic]
    tag = set_tag(seed)
    problems = []
    seen = set()
    for index in range(count):
        name = names[index % len(names)]
        for attempt in range(_MAX_REDRAWS):
            draft = TOPICS[name].make(_rng(seed, name, index, attempt))
            key = (name, repr(sorted(draft.params.items())))
            if key not in seen:
                break
        seen.add(key)
        problems.append(
            Problem(
                id=f"{name}-{tag}-{index + 1:03d}",
                topic=name,
                question=draft.question,
                params=draft.params,
                answer=draft.answer,
                explanation=draft.explanation,
            )
        )
    return problems
