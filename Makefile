# cskit: `make demo` builds everything and reports on the demo company;
# `make test` runs the whole test suite. Both build the environment first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := .cskit/demo
JOBS ?= 2

.PHONY: help venv demo test test-fast references docs lint lock clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml requirements.lock requirements-survival.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-survival.txt
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 \
		--display-name "Python 3 (cskit)"
	touch $(STAMP)

venv: $(STAMP)  ## Build the virtual environment and its Jupyter kernel

demo: venv  ## Build the demo company and its workspace, then report on every account
	$(BIN)/cskit demo --out $(DEMO) --set-default
	$(BIN)/cskit batch --jobs $(JOBS) --run demo

test: venv  ## Run the tests: package, workbooks (nbval) and batch
	$(BIN)/python -m pytest tests
	$(BIN)/python -m pytest --nbval tests/notebooks --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider

test-fast: venv  ## Run the package tests that need no kernel
	$(BIN)/python -m pytest tests -m "not slow"

references: venv  ## Regenerate the nbval reference notebooks from the workbooks
	$(BIN)/python -m tests.notebooks.make_references

docs: venv  ## Regenerate docs/limitations.md from the modules' docstrings
	$(BIN)/python -m tests.limitations

lint: venv  ## Check formatting, lint rules and the house style
	$(BIN)/ruff check cskit tests benchmarks

lock:  ## Re-resolve the pinned versions into requirements.lock
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e '.[dev]'
	.lock-venv/bin/python -m pip install --quiet --no-deps -r requirements-survival.txt
	.lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^cskit' > requirements.lock
	rm -rf .lock-venv

clean:  ## Remove the environment, the demo workspace and the reports
	rm -rf $(VENV) .cskit reports .cskit-workspace
