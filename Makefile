# Two commands on a fresh machine with only python3 and make:
#   make demo   runs the whole pipeline on samples/ (creates .venv when missing)
#   make test   runs the test suite, integration tests against a real Label Studio included
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-postgres lint typecheck bench clean-venv chromium

demo: $(STAMP)
	$(BIN)/corpus demo $(DEMO_ARGS)

test: $(STAMP) chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# tests/test_html_report_browser.py opens the report in Debian's Chromium (driven by playwright,
# from the dev extra; playwright's own browser download is not used). Installed here when missing
# and we are root (apt-get); otherwise the test skips, except in CI (CI set), where it fails.
CHROMIUM ?= /usr/bin/chromium
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-dejavu-core \
	      || exit 2; \
	  else \
	    echo "note: $(CHROMIUM) not found: the browser test of the report needs it" \
	      "(Debian/Ubuntu: sudo apt-get install -y chromium)" >&2; \
	  fi; \
	fi

# tests/test_postgres.py: the toolkit end to end against Label Studio on PostgreSQL (opt-in,
# a few minutes; `make test` skips it). A throwaway cluster in a temp folder on a free port.
# Installs Debian's postgresql when its server programs are missing and we are root (apt-get).
test-postgres: $(STAMP)
	@if ! command -v pg_ctl >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql || exit 2; \
	  else \
	    echo "make test-postgres needs PostgreSQL's server programs (initdb, pg_ctl):" \
	      "install them (Debian/Ubuntu: sudo apt-get install -y postgresql) and run it again" >&2; \
	    exit 2; \
	  fi; \
	fi
	CORPUS_TEST_POSTGRES=1 $(BIN)/python -m pytest tests/test_postgres.py $(PYTEST_ARGS)

lint: $(STAMP) typecheck
	$(BIN)/ruff check toolkit tests bench

# The type checker (mypy, configured in pyproject.toml) on toolkit/: zero errors. CI runs it.
typecheck: $(STAMP)
	$(BIN)/mypy

# Each bench script at a small size (a smoke run: the ratios are printed, not meaningful at this
# size). bench_push and bench_pull start a local Label Studio of their own (a minute or two each).
# Full-size runs: call the scripts with their defaults, e.g. $(BIN)/python bench/bench_build.py
bench: $(STAMP)
	$(BIN)/python bench/bench_ingest.py --pages 200 --repeat 1
	$(BIN)/python bench/bench_build.py --tasks 2000
	$(BIN)/python bench/bench_validate.py --results 20000
	$(BIN)/python bench/bench_schema.py --labels 500 --factor 4 --repeat 1
	$(BIN)/python bench/bench_report.py --tasks 5000
	$(BIN)/python bench/bench_dedupe.py --comments 20000 --compare 2000
	$(BIN)/python bench/bench_push.py --tasks 500 --rounds 1
	$(BIN)/python bench/bench_pull.py --tasks 400
	$(BIN)/python bench/bench_quality.py --items 2000 --speed-items 20000 --no-mace
	$(BIN)/python bench/bench_select.py --comments 50000
	$(BIN)/python bench/bench_budget.py --pool 2000 --test 500 --budget 600 --speed 5000

# The virtualenv with the toolkit, the local Label Studio server (extra "server") and the test tools.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[server,dev]'
	touch $(STAMP)

clean-venv:
	rm -rf $(VENV)
