# Thin wrappers; everything they run is also runnable by hand (see README).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
RUNTIME := $(VENV)/.runtime

.PHONY: demo test lint typecheck contracts pytest bench clean

# The demo needs the runtime only; tests and benchmarks add the dev and bench extras.
$(RUNTIME): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $(RUNTIME)

$(STAMP): $(RUNTIME)
	$(BIN)/pip install -q -e '.[dev,bench,spark]'
	touch $(STAMP)

demo: $(RUNTIME)
	$(BIN)/newswire demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

pytest: $(STAMP)
	$(BIN)/pytest -q

test: lint typecheck contracts pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/accuracy.py ../shared/corpus/dev
	$(BIN)/python benchmarks/throughput.py
	$(BIN)/python benchmarks/index_scale.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
