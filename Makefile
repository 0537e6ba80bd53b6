# Plain entry points: `make run` starts the control plane with a demo data set (the one-shot gate
# example is `python -m signoff.example`), `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint typecheck pytest bench clean

$(BIN)/signoff: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	$(BIN)/python -m compileall -q src/signoff
	touch $@

$(VENV)/.dev: $(BIN)/signoff
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: $(BIN)/signoff
	DEMO_PORT=$(or $(DEMO_PORT),8700) $(BIN)/python -m signoff.demo

test: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(BIN)/signoff
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
