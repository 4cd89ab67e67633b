# Everything a person runs. `make demo` and `make test` are the two README commands.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PRESET ?= small
DATA_DIR ?= data/raw
export ACTIVATION_DUCKDB_PATH ?= activation.duckdb
export ACTIVATION_SERVING_PATH ?= activation_serving.duckdb
DBT := $(BIN)/dbt
DASHBOARD_PORT ?= 8501
# `make metrics`: any `mf query` arguments; by default, aha rate by signup quarter and vertical
METRICS_ARGS ?= --metrics aha_rate_30d,aha_30d,accounts_matured_30d \
	--group-by metric_time__quarter,cohort__vertical --order metric_time__quarter,cohort__vertical

ENGINES_STAMP := $(VENV)/.engines-installed

.PHONY: help venv engines postgres demo generate load build summary test lint unit pytest bench nightly docs metrics dashboard chromium java clean

help: ## list the targets
	@grep -E '^[a-z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

venv: $(VENV)/.installed ## create .venv with the pinned dependencies

# the other engines' adapters, constrained by requirements.txt so dbt-core never moves
$(ENGINES_STAMP): $(VENV)/.installed requirements-engines.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -c requirements.txt -r requirements-engines.txt
	touch $@

engines: $(ENGINES_STAMP) ## install the Postgres and Spark adapters into .venv (requirements-engines.txt)

demo: venv generate load build summary ## generate the small preset, load it, dbt build, print a summary

generate: venv ## generate raw data (PRESET=small|medium|large|xlarge, DATA_DIR=data/raw)
	$(BIN)/python scripts/generate_data.py --preset $(PRESET) --out $(DATA_DIR)

load: venv ## replace the raw tables with the files in DATA_DIR
	$(BIN)/python scripts/load_raw.py --source-dir $(DATA_DIR)

build: venv ## dbt build from scratch (--full-refresh: the demo replaces its raw data)
	$(DBT) build --full-refresh

summary: venv ## print a short summary of the warehouse
	$(BIN)/python scripts/summary.py

test: venv engines chromium postgres java lint pytest ## everything: lint, then pytest (script tests, dbt unit and data tests, end-to-end builds, DuckDB vs Postgres and Spark); installs the browser, PostgreSQL server and Java it needs when missing

LINT_DATABASE := target/sqlfluff.duckdb

lint: venv ## ruff on the Python; sqlfluff on every model, test and analysis, then on the incremental branch of incremental models
	@mkdir -p target
	$(BIN)/ruff check scripts tests dashboard
	# the dbt templater opens a connection: give it a scratch file, never the warehouse. It renders
	# is_incremental() against that file: pass 1 (the file empty, so false) lints every file with
	# its full-refresh branch; scripts/lint_incremental.py then builds the incremental relations
	# in the same file (dbt build --empty) and lints the incremental models again, with their
	# incremental branch. Both passes run, and lint fails if either has findings.
	# --processes 0 (one worker per core) halves lint time (~50 s instead of ~2 min); at exit
	# Python may print "resource_tracker: ... leaked semaphore objects": that comes from
	# sqlfluff's worker pool shutting down, it is not a lint finding, and lint still exits 0.
	rm -f $(LINT_DATABASE) $(LINT_DATABASE).wal
	status=0; \
	ACTIVATION_DUCKDB_PATH=$(LINT_DATABASE) $(BIN)/sqlfluff lint --processes 0 models tests/dbt analyses || status=$$?; \
	ACTIVATION_DUCKDB_PATH=$(LINT_DATABASE) $(BIN)/python scripts/lint_incremental.py --processes 0 || status=$$?; \
	exit $$status

pytest: venv engines ## pytest, one worker per core, each test file in one worker (its fixtures build once), the longest files first
	$(BIN)/python -m pytest -n auto --dist loadfile --no-loadscope-reorder --durations=12

bench: venv ## benchmarks (see scripts/benchmark.py --help)
	$(BIN)/python scripts/benchmark.py $(BENCH_ARGS)

nightly: venv ## load new raw files, check freshness, dbt build, publish the serving file (NIGHTLY_ARGS="--source-dir DIR ...")
	$(BIN)/python scripts/nightly.py $(NIGHTLY_ARGS)

docs: venv ## the dbt docs site as one self-contained page: target/static_index.html (opens from disk)
	$(DBT) docs generate --static
	@echo "open target/static_index.html in a browser"

metrics: venv ## mf query on the serving file, read-only: aha rate by quarter and vertical (or METRICS_ARGS)
	@test -f "$(ACTIVATION_SERVING_PATH)" || { echo "no serving file $(ACTIVATION_SERVING_PATH): run make nightly first"; exit 1; }
	# the semantic manifest names relations by the warehouse's stem; the `serving` target
	# attaches the serving file read-only under that name, so mf never opens the warehouse
	$(DBT) parse --quiet
	ACTIVATION_TARGET=serving $(BIN)/mf query $(METRICS_ARGS)

dashboard: venv ## the Streamlit dashboard on http://127.0.0.1:8501 (DASHBOARD_PORT), reading the serving file read-only
	$(BIN)/streamlit run dashboard/app.py --server.headless true --server.address 127.0.0.1 \
		--server.port $(DASHBOARD_PORT) --browser.gatherUsageStats false --server.fileWatcherType none

chromium: ## install Debian's chromium for the dashboard's browser test, when missing (as root)
	@command -v chromium >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-liberation; }

java: ## install a Java runtime for Spark (Debian's openjdk-17-jre-headless), when missing (as root)
	@command -v java >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y openjdk-17-jre-headless; }

postgres: ## install Debian's PostgreSQL 15 server binaries for the Postgres tests, when missing (as root)
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql-15; }

clean: ## remove build artefacts, generated data and the local warehouse
	rm -rf target logs data $(ACTIVATION_DUCKDB_PATH) $(ACTIVATION_DUCKDB_PATH).wal $(ACTIVATION_DUCKDB_PATH).lock $(ACTIVATION_SERVING_PATH)
