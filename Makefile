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

# The virtualenv with the toolkit, the local Label Studio server (extra "server") and the test tools.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[server,dev]'
	touch $(STAMP)

clean-venv:
	rm -rf $(VENV)
