"""The two ways of installing cnnlab (pip + pyproject.toml, conda +
environment.yml) must install the same requirements."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _normalise(requirement):
    name, spec = re.match(r"^([A-Za-z0-9_.\-]+(?:\[[^\]]+\])?)(.*)$", requirement.strip()).groups()
    name = re.sub(r"[-_.]+", "-", name).lower()
    return name + ",".join(sorted(s.strip() for s in spec.split(",") if s.strip()))


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _environment_pip_requirements():
    lines = (ROOT / "environment.yml").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "- pip:")
    indent = len(lines[start + 1]) - len(lines[start + 1].lstrip())
    entries = []
    for line in lines[start + 1 :]:
        if not line.strip() or len(line) - len(line.lstrip()) < indent:
            break
        entries.append(line.strip()[2:].strip())
    return entries


def test_environment_yml_installs_what_pyproject_declares():
    project = _pyproject()
    declared = {_normalise(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    entries = _environment_pip_requirements()
    assert "--editable ." in entries, "environment.yml must install cnnlab itself"
    listed = {_normalise(e) for e in entries if not e.startswith("-")}
    assert listed == declared, (
        f"only in pyproject.toml: {sorted(declared - listed)}; "
        f"only in environment.yml: {sorted(listed - declared)}"
    )


def test_every_requirement_has_a_compatible_range():
    project = _pyproject()
    requirements = project["dependencies"] + [
        r for extra in project["optional-dependencies"].values() for r in extra
    ]
    for requirement in requirements:
        if requirement in EXACT_PINS:
            continue
        assert ">=" in requirement and "<" in requirement.replace("<=", ""), (
            f"{requirement!r} needs a lower and an upper bound"
        )


# torch's only CPU build on PyPI's side of this project is the wheel the
# machines carry; any other torch version is a multi-GB CUDA download.
EXACT_PINS = {"torch==2.13.0"}


def test_backend_extras_are_declared():
    extras = _pyproject()["optional-dependencies"]
    assert extras["torch"] == ["torch==2.13.0"]
    assert [r for r in extras["jax"] if r.startswith("jax[cpu]")]


def test_gpu_extra_pulls_tensorflow_cuda():
    gpu = _pyproject()["optional-dependencies"]["gpu"]
    assert any(r.startswith("tensorflow[and-cuda]") for r in gpu)


def test_environment_python_is_supported():
    requires = _pyproject()["requires-python"]
    low = re.search(r">=\s*3\.(\d+)", requires).group(1)
    high = re.search(r"<\s*3\.(\d+)", requires).group(1)
    python = re.search(r"python=3\.(\d+)", (ROOT / "environment.yml").read_text()).group(1)
    assert int(low) <= int(python) < int(high)
