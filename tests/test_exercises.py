"""Generated exercises: reproducible, TensorFlow-free, hashed checks that hide the
answer, and answers that agree with what Keras' own layers compute."""

import ast
import json
import math
import os
import subprocess
import sys

import keras
import nbformat
import numpy as np
import pytest

from cnnlab import exercises
from cnnlab.__main__ import main
from cnnlab.exercises import TOPICS, check, generate, is_correct, normalise, render

SEEDS = (0, 1, 2)
COUNT = 4


def _problems(topic):
    return [p for seed in SEEDS for p in generate(topic, count=COUNT, seed=seed)]


def _cli(*args, env=None):
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, check=True, env={**os.environ, **(env or {})}
    )


# --------------------------------------------------------------------------
# command line, formats, reproducibility


@pytest.mark.parametrize("format", ["json", "ipynb"])
def test_cli_never_imports_tensorflow(tmp_path, format):
    out = tmp_path / f"set.{format}"
    result = _cli(
        "-X", "importtime", "-m", "cnnlab", "exercises", "--topic", "all", "--count", "100",
        "--format", format, "--out", str(out),
    )
    imported = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line}
    assert "cnnlab" in imported, "importtime output not parsed"
    assert not imported & {"tensorflow", "keras", "torch", "jax"}
    if format == "json":
        assert len(json.loads(out.read_text())) == 100


@pytest.mark.parametrize(
    "format, instructor", [("json", False), ("md", False), ("md", True), ("ipynb", False), ("ipynb", True)]
)
def test_same_seed_gives_the_same_bytes_in_fresh_processes(tmp_path, format, instructor):
    files = []
    for run, hash_seed in enumerate(("1", "2")):
        out = tmp_path / f"{run}.{format}"
        args = ["-m", "cnnlab", "exercises", "--topic", "all", "--count", "20", "--seed", "11"]
        args += ["--format", format, "--out", str(out)] + (["--instructor"] if instructor else [])
        _cli(*args, env={"PYTHONHASHSEED": hash_seed})
        files.append(out.read_bytes())
    assert files[0] == files[1]
    problems = generate("all", count=20, seed=11)
    title = "Exercises: all (set 2325f090, instructor copy)" if instructor else "Exercises: all (set 2325f090)"
    note = "Seed 11: `cnnlab exercises --topic all --count 20 --seed 11 --instructor` regenerates this copy. Keep it secret."
    assert files[0] == render(problems, format, instructor=instructor, title=title, instructor_note=note).encode()


@pytest.mark.parametrize("format", ["md", "ipynb"])
def test_only_the_instructor_copy_names_the_seed(capsys, format):
    seed = 987654321
    main(["exercises", "--topic", "all", "--count", "10", "--seed", str(seed), "--format", format])
    student = capsys.readouterr().out
    assert str(seed) not in student and exercises.set_tag(seed) in student
    main(["exercises", "--topic", "all", "--count", "10", "--seed", str(seed), "--format", format, "--instructor"])
    instructor = capsys.readouterr().out
    assert str(seed) in instructor
    if format == "ipynb":
        # Only inside a mark scheme, which a release removes (tests/test_release.py).
        intro = nbformat.reads(instructor, as_version=4).cells[0].source
        assert str(seed) not in intro.split("=== BEGIN MARK SCHEME ===")[0]
        assert str(seed) not in "".join(c.source for c in nbformat.reads(instructor, as_version=4).cells[1:])


def test_seeds_differ_and_longer_sets_extend_shorter_ones():
    assert to_params(generate("all", count=10, seed=0)) != to_params(generate("all", count=10, seed=1))
    assert generate("conv-output", count=5, seed=3) == generate("conv-output", count=12, seed=3)[:5]


def to_params(problems):
    return [p.params for p in problems]


def test_json_objects():
    problems = json.loads(exercises.to_json(generate("all", count=30, seed=4)))
    assert len({p["id"] for p in problems}) == 30
    for problem in problems:
        assert list(problem) == ["id", "topic", "question", "params", "answer", "explanation"]
        answer = problem["answer"]
        assert answer is None or isinstance(answer, int) or all(isinstance(a, int) for a in answer)
    conv = next(p for p in problems if p["topic"] == "conv-output")
    assert set(conv["params"]) == {"input_size", "kernel_size", "stride", "padding", "dilation"}


def test_every_topic_generates_and_explains_its_answer():
    for topic in TOPICS:
        for problem in generate(topic, count=10, seed=0):
            assert problem.topic == topic and problem.question.strip()
            shown = "None" if problem.answer is None else str(problem.answer)
            assert f"**{shown}**" in problem.explanation, problem.id


def test_conv_output_includes_strides_that_do_not_fit():
    answers = [p.answer for p in generate("conv-output", count=60, seed=0)]
    assert answers.count(None) >= 5 and sum(a is not None for a in answers) >= 30


def test_cli_writes_to_standard_output(capsys):
    assert main(["exercises", "--topic", "memory", "--count", "3", "--seed", "9"]) == 0
    assert json.loads(capsys.readouterr().out) == [p.as_dict() for p in generate("memory", count=3, seed=9)]


def test_format_follows_the_out_suffix(tmp_path):
    for name, check_text in (("a.ipynb", '"nbformat": 4'), ("a.md", "## 1. `"), ("a.txt", '"topic": "memory"')):
        main(["exercises", "--topic", "memory", "--count", "2", "--out", str(tmp_path / name)])
        assert check_text in (tmp_path / name).read_text(), name


def test_list_describes_every_topic(capsys):
    assert main(["exercises", "--list"]) == 0
    listing = capsys.readouterr().out
    for name, topic in TOPICS.items():
        assert name in listing and topic.summary in listing


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"topic": "conv"}, ValueError, "topic must be one of conv-output"),
        ({"topic": "conv-output", "count": 0}, ValueError, "count must be between 1 and 10000"),
        ({"topic": "conv-output", "seed": -1}, ValueError, "seed must be >= 0"),
        ({"topic": "conv-output", "seed": "1"}, TypeError, "seed must be an int"),
        ({"topic": "conv-output", "count": 2.0}, TypeError, "count must be an int"),
    ],
)
def test_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        generate(**kwargs)


def test_bad_format_and_cli_errors(capsys):
    with pytest.raises(ValueError, match="format must be one of json, md, ipynb"):
        render([], "pdf")
    with pytest.raises(SystemExit) as exit_info:
        main(["exercises", "--topic", "conv-output", "--count", "0"])
    assert exit_info.value.code == 2 and "count must be between" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["exercises"])
    assert "--topic is required" in capsys.readouterr().err


def test_markdown_student_sheet_has_no_answers():
    problems = generate("all", count=10, seed=2)
    student = exercises.to_markdown(problems)
    instructor = exercises.to_markdown(problems, instructor=True)
    for problem in problems:
        assert problem.question in student and problem.explanation not in student
        assert problem.explanation in instructor
    assert "**Answer:**" not in student


# --------------------------------------------------------------------------
# hashed checks


def test_normalise_equates_equal_answers_only():
    assert normalise(28) == normalise(28.0) == normalise(np.int64(28)) == "28"
    assert normalise((14, 14, 3)) == normalise([14, 14, 3]) == normalise(np.array([14, 14, 3]))
    assert len({normalise(v) for v in (28, 29, None, 0, [28], 28.5, "28")}) == 7
    with pytest.raises(TypeError, match="answer must be"):
        normalise(object())


def test_check_says_right_or_wrong(capsys):
    token = exercises.answer_token([14, 14, 3], "salt-1")
    # None, not True: nbgrader would read True as a score, otter's doctests as output.
    assert check((14, 14, 3), token) is None and capsys.readouterr().out == "Correct.\n"
    for wrong in ([14, 14, 4], [14, 14], None, object()):
        with pytest.raises(AssertionError, match="Not right yet"):
            check(wrong, token)
    with pytest.raises(AssertionError, match=r"Replace \.\.\."):
        check(..., token)
    assert not is_correct([14, 14, 3], exercises.answer_token([14, 14, 3], "salt-2")[:-1] + "0")
    with pytest.raises(ValueError, match="token must look like"):
        check(1, "md5:x:y")
    with pytest.raises(ValueError, match="salt must be"):
        exercises.answer_token(1, "a:b")


def test_none_answer_is_checked_like_any_other():
    token = exercises.answer_token(None, "s")
    assert is_correct(None, token) and not is_correct(0, token)


def _notebook(problems, instructor):
    nb = nbformat.reads(exercises.to_notebook(problems, instructor=instructor), as_version=4)
    nbformat.validate(nb)
    return nb


def _run(cells, namespace):
    for cell in cells:
        exec(compile(cell.source, "<cell>", "exec"), namespace)


def test_student_notebook_checks_without_revealing(capsys):
    problems = generate("all", count=20, seed=6)
    nb = _notebook(problems, instructor=False)
    text = "\n".join(c.source for c in nb.cells) + json.dumps(nb.metadata)
    namespace = {}
    _run([c for c in nb.cells if c.metadata.get("nbgrader") is None and c.cell_type == "code"], namespace)
    answer_cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    check_cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert len(answer_cells) == len(check_cells) == len(problems)
    for number, (problem, answer_cell, check_cell) in enumerate(zip(problems, answer_cells, check_cells), 1):
        assert "### BEGIN SOLUTION" in answer_cell.source and "### END SOLUTION" in answer_cell.source
        assert problem.explanation not in text and f"{exercises.answer_name(number)} = {problem.answer!r}" not in text
        literals = {
            ast.literal_eval(node)
            for cell in (answer_cell, check_cell)
            for node in ast.walk(ast.parse(cell.source))
            if isinstance(node, (ast.Constant, ast.List)) and not isinstance(getattr(node, "value", 0), str)
        }
        assert not any(literal == problem.answer for literal in literals if literal is not ...), problem.id
        name = exercises.answer_name(number)
        _run([answer_cell], namespace)
        with pytest.raises(AssertionError, match="Replace"):
            _run([check_cell], namespace)
        namespace[name] = problem.answer
        _run([check_cell], namespace)
        namespace[name] = 0 if problem.answer is None else None
        with pytest.raises(AssertionError, match="Not right yet"):
            _run([check_cell], namespace)
        namespace[name] = problem.answer
    assert capsys.readouterr().out.count("Correct.") == len(problems)


@pytest.mark.parametrize("instructor", [False, True])
def test_each_problem_binds_its_own_answer_name_with_nbgrader_metadata(instructor):
    from cnnlab.grading import convention, metadata

    problems = generate("all", count=12, seed=3)
    nb = _notebook(problems, instructor=instructor)
    found = convention.exercises(nb)
    assert [e.name(nb) for e in found] == [exercises.answer_name(n) for n in range(1, 13)]
    assert convention.name_issues(nb) == [] and metadata.issues(nb) == []
    grade_ids = [nb.cells[i].metadata["nbgrader"]["grade_id"] for e in found for i in (e.answer, e.check)]
    assert grade_ids == [nb.cells[i].id for e in found for i in (e.answer, e.check)]


def test_instructor_notebook_runs_its_solutions_through_the_checks(capsys):
    problems = generate("all", count=20, seed=6)
    nb = _notebook(problems, instructor=True)
    _run([c for c in nb.cells if c.cell_type == "code"], {})
    assert capsys.readouterr().out.count("Correct.") == len(problems)
    text = "\n".join(c.source for c in nb.cells)
    assert all(
        p.explanation in text and f"{exercises.answer_name(n)} = {p.answer!r}" in text
        for n, p in enumerate(problems, 1)
    )


# --------------------------------------------------------------------------
# answers against Keras


def _shape(layer, input_shape):
    return tuple(layer(np.zeros((1, *input_shape), "float32")).shape[1:])


def test_conv_output_against_keras():
    for p in _problems("conv-output"):
        n, k, s, pad, d = (p.params[key] for key in ("input_size", "kernel_size", "stride", "padding", "dilation"))
        # TensorFlow refuses stride > 1 with dilation > 1; a kernel of the dilated
        # span slides over the same positions.
        conv = keras.layers.Conv2D(1, k, strides=s, dilation_rate=d) if s == 1 else keras.layers.Conv2D(
            1, d * (k - 1) + 1, strides=s
        )
        out = _shape(keras.Sequential([keras.layers.ZeroPadding2D(pad), conv]), (n, n, 1))[0]
        last_covered = (out - 1) * s + d * (k - 1) + 1
        fits = last_covered == n + 2 * pad
        assert p.answer == (out if fits else None), p


def test_pool_output_against_keras():
    for p in _problems("pool-output"):
        layer = keras.layers.MaxPooling2D(p.params["pool_size"], p.params["strides"], p.params["padding"])
        assert list(_shape(layer, p.params["input_shape"])) == p.answer, p


def test_transposed_conv_output_against_keras():
    for p in _problems("transposed-conv-output"):
        layer = keras.layers.Conv2DTranspose(
            p.params["filters"],
            p.params["kernel_size"],
            strides=p.params["strides"],
            padding=p.params["padding"],
            output_padding=p.params["output_padding"],
        )
        assert list(_shape(layer, p.params["input_shape"])) == p.answer, p


def test_receptive_field_against_keras_support():
    length = 1024
    for p in _problems("receptive-field"):
        layers, kernels = [], []
        for spec in p.params["layers"]:
            if spec["type"] == "pool":
                layers.append(keras.layers.MaxPooling1D(spec["kernel_size"], spec["stride"]))
                continue
            # A dilated kernel is a kernel of its full span with zeros between the taps.
            span = spec["dilation"] * (spec["kernel_size"] - 1) + 1
            taps = np.zeros((span, 1, 1), "float32")
            taps[:: spec["dilation"]] = 1.0
            layers.append(keras.layers.Conv1D(1, span, strides=spec["stride"], use_bias=False))
            kernels.append((layers[-1], taps))
        model = keras.Sequential([keras.Input((length, 1)), *layers])
        for layer, taps in kernels:
            layer.kernel.assign(taps)
        # Row i of the identity is a one-hot input at position i; the first
        # output unit reacts to positions inside its receptive field only, and
        # to both ends of it (dilation can leave holes in between).
        first_unit = keras.ops.convert_to_numpy(model(np.eye(length, dtype="float32")[..., None]))[:, 0, 0]
        seen = np.flatnonzero(first_unit)
        assert seen[-1] - seen[0] + 1 == p.answer, p


def test_conv_and_dense_params_against_keras():
    for p in _problems("conv-params"):
        layer = keras.layers.Conv2D(
            p.params["filters"],
            p.params["kernel_size"],
            use_bias=p.params["use_bias"],
            kernel_initializer="zeros",
            dtype="float16",
        )
        layer.build((None, 16, 16, p.params["in_channels"]))
        assert layer.count_params() == p.answer, p
    for p in _problems("fc-vs-conv-params"):
        conv = keras.layers.Conv2D(p.params["filters"], p.params["kernel_size"], padding=p.params["padding"])
        out = _shape(conv, p.params["input_shape"])
        dense = keras.layers.Dense(math.prod(out), kernel_initializer="zeros", dtype="float16")
        dense.build((None, math.prod(p.params["input_shape"])))
        assert [conv.count_params(), dense.count_params()] == p.answer, p


def test_stacked_3x3_against_keras():
    for p in _problems("stacked-3x3"):
        count, channels, bias = p.params["layers"], p.params["channels"], p.params["use_bias"]
        field = p.answer[0]
        inputs = keras.Input((field, field, channels))
        x = inputs
        for _ in range(count):
            x = keras.layers.Conv2D(channels, 3, use_bias=bias, kernel_initializer="zeros", dtype="float16")(x)
        single = keras.layers.Conv2D(channels, field, use_bias=bias, kernel_initializer="zeros", dtype="float16")
        y = single(inputs)
        # Both map a field x field input to exactly one output: the same receptive field.
        assert tuple(x.shape[1:3]) == tuple(y.shape[1:3]) == (1, 1), p
        stack = keras.Model(inputs, x)
        assert [stack.count_params(), single.count_params()] == p.answer[1:], p


def _keras_macs(layer, output):
    # Each output value is one dot product over the kernel's window and input channels.
    return math.prod(output.shape[1:]) * math.prod(layer.kernel.shape[:-1])


def test_bottleneck_macs_against_keras():
    for p in _problems("bottleneck-macs"):
        inputs = keras.Input(tuple(p.params["input_shape"]))
        kernel, filters = p.params["kernel_size"], p.params["filters"]
        direct = keras.layers.Conv2D(filters, kernel, padding="same")
        reduce = keras.layers.Conv2D(p.params["reduced_channels"], 1)
        spatial = keras.layers.Conv2D(filters, kernel, padding="same")
        y_direct = direct(inputs)
        y_reduce = reduce(inputs)
        y_spatial = spatial(y_reduce)
        assert y_direct.shape == y_spatial.shape
        expected = [
            _keras_macs(direct, y_direct),
            _keras_macs(reduce, y_reduce) + _keras_macs(spatial, y_spatial),
        ]
        assert expected == p.answer, p


def test_densenet_channels_against_keras_applications():
    from keras.src.applications import densenet

    for p in _problems("densenet-channels"):
        x = keras.Input((8, 8, p.params["input_channels"]))
        for index in range(p.params["layers"]):
            x = densenet.conv_block(x, p.params["growth_rate"], name=f"block_{index}")
        block = x.shape[-1]
        transition = densenet.transition_block(x, p.params["compression"], name="transition").shape[-1]
        assert [block, transition] == p.answer, p


def test_memory_against_keras():
    for p in _problems("memory"):
        inputs = keras.Input(tuple(p.params["input_shape"]), batch_size=p.params["batch_size"], dtype=p.params["dtype"])
        layer = keras.layers.Conv2D(
            p.params["filters"],
            p.params["kernel_size"],
            strides=p.params["strides"],
            padding=p.params["padding"],
            dtype=p.params["dtype"],
        )
        y = layer(inputs)
        assert math.prod(y.shape) * np.dtype(y.dtype).itemsize == p.answer, p
