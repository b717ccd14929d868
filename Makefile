# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DATA ?= homing-data
STAMP := $(VENV)/.installed
# The server's own dependencies (make run), and the test toolchain on top (make test, lint).
SERVER_STAMP := $(VENV)/.installed-server

.PHONY: run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); echo 'error: cannot create a virtual environment; on Debian: apt-get install python3-venv' >&2; exit 1; }

$(SERVER_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $(SERVER_STAMP)

$(STAMP): $(SERVER_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(SERVER_STAMP)
	$(BIN)/homing --data $(DATA) serve --demo

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

# Two pytest workers, one test file each at a time (module fixtures stay in one process):
# most tests wait on servers and real tools, and CI has two cores. The 25 slowest are
# listed at the end, to keep the suite inside its 15 minutes.
TEST_WORKERS ?= 2

test: $(STAMP)
	./scripts/install-test-tools.sh
	$(MAKE) lint
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile --durations=25

bench: $(STAMP)
	./scripts/install-test-tools.sh
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
