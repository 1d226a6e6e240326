# pbvote: two commands do all set-up on a fresh machine.
#   make test   creates .venv, installs pbvote with its test extras, checks types and lint, runs the whole suite
#   make demo   creates .venv, installs, and serves a demo election on SQLite
#   make bench  times every rule against pabutools on the real and synthetic elections
#   make bench-api  load-tests the online ballot path of `pbvote serve` (PostgreSQL, SQLite) against a bare endpoint
#   make soak   10 minutes of ballots at 500/s on a throwaway PostgreSQL (SOAK_SECONDS=60 for a quick look)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SOURCES := $(wildcard pbvote tally ballots api tests benchmarks)

.PHONY: test lint typecheck unit demo bench bench-api soak soak-crash clean messages

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
	bash .ci/install-browser.sh
	PBVOTE_TEST_DATABASE_URL=$${PBVOTE_TEST_DATABASE_URL:-postgresql+asyncpg://postgres@127.0.0.1:5432/test} \
		$(BIN)/python -m pytest -q -p no:cacheprovider

# Re-extract the pages' messages, merge them into every catalog, and compile the committed .mo files.
messages: $(STAMP)
	$(BIN)/pybabel extract -F api/i18n/babel.cfg -k gettext -k pgettext:1c,2 -k raw_ -k _ --no-location --sort-output --omit-header \
		-o api/i18n/pbvote.pot .
	$(BIN)/pybabel update -i api/i18n/pbvote.pot -d api/i18n/locales -D pbvote --width 120 --ignore-obsolete --no-fuzzy-matching
	$(BIN)/pybabel compile -d api/i18n/locales -D pbvote --statistics

demo: $(STAMP)
	$(BIN)/pbvote demo

BENCH_STAMP := $(VENV)/.installed-bench

$(BENCH_STAMP): pyproject.toml | $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	touch $(BENCH_STAMP)

# make bench BENCH_ARGS="--quick" (or --instances, --rules, --pabutools-timeout, --no-pabutools): see benchmarks/
bench: $(STAMP) $(BENCH_STAMP)
	$(BIN)/python benchmarks/bench_tally.py $(BENCH_ARGS)

# needs wrk (apt-get install wrk) and PostgreSQL on 127.0.0.1:5432 (started by .ci/postgres.sh); loopback only
bench-api: $(STAMP)
	bash .ci/postgres.sh
	$(BIN)/python benchmarks/bench_api.py

SOAK_SECONDS ?= 600
soak: $(STAMP)
	PYTHONPATH=. $(BIN)/python benchmarks/soak.py --seconds $(SOAK_SECONDS)

soak-crash: $(STAMP)
	bash .ci/postgres.sh
	PYTHONPATH=. $(BIN)/python benchmarks/soak_crash.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
