# Two commands on a fresh machine with only python3 and make:
#   make demo   runs the whole pipeline on samples/ (creates .venv when missing)
#   make test   runs the test suite, integration tests against a real Label Studio included
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench clean-venv

demo: $(STAMP)
	$(BIN)/corpus demo

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check toolkit tests bench

# Each bench script at a small size (a smoke run: the ratios are printed, not meaningful at this
# size). bench_push and bench_pull start a local Label Studio of their own (a minute or two each).
# Full-size runs: call the scripts with their defaults, e.g. $(BIN)/python bench/bench_build.py
bench: $(STAMP)
	$(BIN)/python bench/bench_ingest.py --pages 200 --repeat 1
	$(BIN)/python bench/bench_build.py --tasks 2000
	$(BIN)/python bench/bench_validate.py --results 20000
	$(BIN)/python bench/bench_push.py --tasks 500 --rounds 1
	$(BIN)/python bench/bench_pull.py --tasks 400

# The virtualenv with the toolkit, the local Label Studio server (extra "server") and the test tools.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[server,dev]'
	touch $(STAMP)

clean-venv:
	rm -rf $(VENV)
