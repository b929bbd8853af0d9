# Two entry points set everything up on a fresh machine: `make demo` and `make test`.
# Each creates or refreshes the project-local virtualenv (.venv) first; a second run reuses it.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The stamp changes whenever pyproject.toml does, so edits to dependencies reinstall exactly once.
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: setup engine demo test lint typecheck pytest unit sdk bench soak format clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python 3.10+ is required")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

# The real Pulumi engine, built from the Go module proxy into .tools/pulumi/<version> (version pinned in engine/go.mod).
engine:
	bash engine/build.sh

demo: setup
	$(BIN)/python examples/quickstart/demo.py

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

# Every test tier (tests/<tier>/, each marked with its name: `pytest -m "unit or client"` runs those two).
pytest: setup
	$(BIN)/pytest -q

# One tier alone: `make tier-unit`, `make tier-provider`, `make tier-engine`, ...
tier-%: setup
	$(BIN)/pytest -q -m $* tests/$*

# The fast pure tier (no emulator, no subprocess): a few seconds.
unit: tier-unit

# The whole suite: lint, types and every test tier. This is what CI runs.
test: lint typecheck pytest

# The SDK's typed surface and the wire models, generated from the Inputs models (provider/datarobot_retraining/inputs).
sdk: setup
	$(BIN)/python -m datarobot_retraining.codegen

bench: setup
	$(BIN)/python -m benchmarks

soak: setup
	$(BIN)/python -m tests.reliability.soak

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
