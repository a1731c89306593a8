# Two commands do everything on a fresh machine with Python 3.11:
#   make run   — set up .venv/, solve the shipped 100×100 programme, print a summary
#   make test  — set up .venv/, then ruff, mypy and pytest
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-slow lint bench bench-quick clean instances

# requirements.txt pins the runtime (every extra included); requirements-dev.txt adds the tools.
$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "pairing needs Python 3.11+"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(BIN)/python -m pairing.warm
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/pairing solve instances/double-hundred.json -o out/double-hundred-result.json --format table

lint: $(STAMP)
	$(BIN)/ruff check src tests $(wildcard benchmarks/*.py)
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

test-slow: $(STAMP)
	$(BIN)/python -m pytest -m slow

bench: $(STAMP)
	$(BIN)/pairing bench --grid full --out benchmarks/results

bench-quick: $(STAMP)
	$(BIN)/pairing bench --quick --out out/bench-quick

instances: $(STAMP)
	$(BIN)/pairing generate --left 100 --right 100 --seed 2023 --profile double-hundred -o instances/double-hundred.json
	rm -rf instances/double-hundred
	$(BIN)/pairing generate --left 100 --right 100 --seed 2023 --profile double-hundred -o instances/double-hundred
	rm -rf instances/double-hundred-sources
	$(BIN)/pairing generate --left 100 --right 100 --seed 2023 --text --preferences --history -o instances/double-hundred-sources

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
