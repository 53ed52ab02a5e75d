# cnnlab: `make lab` opens the student workspace, `make test` runs every test and notebook.
# Both create the virtual environment in .venv first when it is missing or
# older than pyproject.toml. BACKEND=tensorflow|jax|torch picks the Keras
# backend (default: $KERAS_BACKEND, else tensorflow); setup installs what it needs.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BACKENDS := tensorflow jax torch
BACKEND ?= $(or $(KERAS_BACKEND),tensorflow)
ifeq ($(filter $(BACKEND),$(BACKENDS)),)
$(error BACKEND must be one of $(BACKENDS), got '$(BACKEND)')
endif
export KERAS_BACKEND := $(BACKEND)
# TensorFlow is always installed (tf.data, TensorFlow Datasets); the others are extras.
comma := ,
EXTRAS := test$(if $(filter-out tensorflow,$(BACKEND)),$(comma)$(BACKEND))
STAMP := $(VENV)/.installed-$(BACKEND)
# Two pytest workers where the machine has two cores or more.
WORKERS ?= $(shell $(PYTHON) -c "import os; print(min(2, os.cpu_count() or 1))")
NOTEBOOKS := $(sort $(wildcard course/[0-9][0-9]_*.ipynb))
NB ?= $(NOTEBOOKS)
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider

.PHONY: setup lab lab-instructor test test-lib test-notebooks execute course release nbgrader otter bench clean distclean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[$(EXTRAS)]'
	@touch $@

# Students: sync the git-ignored workspace/ with the course (solutions stubbed;
# nothing the student changed is overwritten), then JupyterLab there.
lab: setup
	$(BIN)/python -m cnnlab lab

# Instructors and authors: JupyterLab on the course sources, solutions included.
lab-instructor: setup
	$(BIN)/python -m cnnlab lab --instructor

test: test-lib test-notebooks

# MARK="not long_training" leaves out the tests that train for minutes (CI on JAX and PyTorch).
MARK ?=
test-lib: setup
	$(BIN)/python -m pytest -n $(WORKERS) --dist loadscope $(if $(MARK),-m "$(MARK)") tests

# Each notebook runs in its own kernel; NB=... runs a subset.
test-notebooks: setup
	CNNLAB_HEADLESS=1 $(BIN)/python -m pytest -n $(WORKERS) --dist loadscope $(NBVAL) $(NB)

# Re-execute notebooks in place (all, or NB="course/01_....ipynb") so that the
# committed outputs match their sources; tests/test_committed_notebooks.py checks this.
execute: setup
	$(BIN)/python -m cnnlab.course execute $(NB)

course: setup
	$(BIN)/python -m cnnlab.course build --out build/course $(NOTEBOOKS)

release: setup
	$(BIN)/python -m cnnlab release course build/release

# An nbgrader course tree with one assignment per lesson, and nbgrader's student
# version of each (build/nbgrader/release/); nbgrader needs its tools on PATH.
GRADING_PATH := PATH="$(abspath $(BIN)):$$PATH"
LESSONS := $(notdir $(basename $(NOTEBOOKS)))

nbgrader: setup
	$(BIN)/python -m cnnlab nbgrader build/nbgrader course
	cd build/nbgrader && $(GRADING_PATH) nbgrader generate_assignment '*' --force --log-level=WARN

# otter-grader master notebooks, then `otter assign` for each: the student notebook
# and the autograder zip under build/otter/<lesson>/dist/.
otter: setup
	$(BIN)/python -m cnnlab otter build/otter course
	for lesson in $(LESSONS); do (cd build/otter/$$lesson && \
		$(GRADING_PATH) otter assign --no-run-tests $$lesson.ipynb dist) || exit 1; done

bench: setup
	@for script in $(filter-out benchmarks/_%,$(wildcard benchmarks/*.py)); do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf build .pytest_cache .hypothesis
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) *.egg-info
