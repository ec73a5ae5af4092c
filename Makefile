# The two commands: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export UPRWATCH_HOME ?= $(CURDIR)/var
HOST ?= 127.0.0.1
PORT ?= 8000
# The [pdf] extra (WeasyPrint, PDF briefs) needs the system's pango libraries: install it only where they are
# (Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0); elsewhere PDF requests
# answer with a clear message and everything else works. `WITH_PDF=` skips it, `WITH_PDF=1` forces it.
WITH_PDF ?= $(shell $(PYTHON) -c "import ctypes.util as u; print(1 if u.find_library('pango-1.0') and u.find_library('pangoft2-1.0') else '')" 2>/dev/null)
COMMA := ,

.PHONY: run init serve test test-fast lint pytest pytest-unit pytest-browser check bench-load clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".$(if $(WITH_PDF),[pdf])"
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev$(if $(WITH_PDF),$(COMMA)pdf)]"
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/uprwatch init
	$(BIN)/uprwatch serve --host $(HOST) --port $(PORT)

init: $(VENV)/.installed
	$(BIN)/uprwatch init

test: $(VENV)/.installed-dev lint pytest

# Every pytest run: one worker process per core (pytest-xdist; `PYTEST_WORKERS=0` runs the tests in this
# process), handed out by work stealing (contiguous runs of a module stay on one worker, so its module
# fixtures are built once). Each worker copies the prebuilt test database (tests/database_cache.py) and
# has a UPRWATCH_HOME of its own (var/test-gw0, ...). Bytecode caches on: without them every run
# compiles and assertion-rewrites its test modules and plugins again (~8 s of CPU per process).
PYTEST_WORKERS ?= auto
PYTEST := PYTHONDONTWRITEBYTECODE= UPRWATCH_HOME=$(CURDIR)/var/test $(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal

# The lane to run while working: no browser, no slow tests (-m slow: whole inits, dumps, schema fuzzing).
# `make test` (what .ci/run runs) still runs everything. Each run lists its slowest tests (--durations).
test-fast: $(VENV)/.installed-dev lint
	$(PYTEST) -m "not browser and not slow" $(PYTEST_ARGS)

# ruff, then the layers (.importlinter; docs/architecture.md): an import that runs up a layer or closes
# a cycle between the modules of a package fails here, an import inside a function included.
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/lint-imports

# Browser tests (-m browser) run here too when /usr/bin/chromium exists, and skip with the reason otherwise;
# .ci/run installs chromium and sets UPRWATCH_REQUIRE_BROWSER=1 so that a missing browser fails instead.
# Two runs: the browser tests get a process of their own, which keeps Playwright's event loop apart
# from the tests that run asyncio code (schemathesis, the load client).
pytest: pytest-unit pytest-browser

pytest-unit: $(VENV)/.installed-dev
	$(PYTEST) -m "not browser" $(PYTEST_ARGS)

pytest-browser: $(VENV)/.installed-dev
	$(PYTEST) -m browser $(PYTEST_ARGS)

# Configuration checks; `make check DEPLOY=1` for a shared server's (see README "Running for a team").
check: $(VENV)/.installed
	$(BIN)/uprwatch check $(if $(DEPLOY),--deploy)

bench-load: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/load.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var
