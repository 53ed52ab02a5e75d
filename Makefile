# cnnlab: `make lab` opens the course, `make test` runs every test and notebook.
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

.PHONY: setup lab test test-lib test-notebooks execute course release bench clean distclean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[$(EXTRAS)]'
	@touch $@

# JupyterLab refuses to run as root (containers, CI) unless told it may.
lab: setup
	$(BIN)/jupyter lab --notebook-dir=course $(if $(filter 0,$(shell id -u)),--allow-root)

test: test-lib test-notebooks

test-lib: setup
	$(BIN)/python -m pytest -n $(WORKERS) --dist loadscope tests

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

bench: setup
	@for script in $(filter-out benchmarks/_%,$(wildcard benchmarks/*.py)); do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf build .pytest_cache .hypothesis
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) *.egg-info
