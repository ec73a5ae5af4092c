# The two commands: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export UPRWATCH_HOME ?= $(CURDIR)/var
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run init serve test lint pytest clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/uprwatch init
	$(BIN)/uprwatch serve --host $(HOST) --port $(PORT)

init: $(VENV)/.installed
	$(BIN)/uprwatch init

test: $(VENV)/.installed-dev lint pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks tools

pytest: $(VENV)/.installed-dev
	UPRWATCH_HOME=$(CURDIR)/var/test $(BIN)/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var
