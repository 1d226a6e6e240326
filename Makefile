# pbvote: two commands do all set-up on a fresh machine.
#   make test   creates .venv, installs pbvote with its test extras, checks types and lint, runs the whole suite
#   make demo   creates .venv, installs, and serves a demo election on SQLite
#   make bench  times every rule against pabutools on the real and synthetic elections
#   make soak   10 minutes of ballots at 500/s on a throwaway PostgreSQL (SOAK_SECONDS=60 for a quick look)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SOURCES := $(wildcard pbvote tally ballots api tests benchmarks)

.PHONY: test lint typecheck unit demo bench soak soak-crash clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/ruff format --check $(SOURCES)

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider

test: $(STAMP)
	$(MAKE) lint typecheck
	bash .ci/postgres.sh
	PBVOTE_TEST_DATABASE_URL=$${PBVOTE_TEST_DATABASE_URL:-postgresql+asyncpg://postgres@127.0.0.1:5432/test} \
		$(BIN)/python -m pytest -q -p no:cacheprovider

demo: $(STAMP)
	$(BIN)/pbvote demo

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/bench_tally.py

SOAK_SECONDS ?= 600
soak: $(STAMP)
	PYTHONPATH=. $(BIN)/python benchmarks/soak.py --seconds $(SOAK_SECONDS)

soak-crash: $(STAMP)
	bash .ci/postgres.sh
	PYTHONPATH=. $(BIN)/python benchmarks/soak_crash.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
