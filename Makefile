# backstop: `make demo` and `make test` do all set-up on a fresh machine.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
ANVIL := node_modules/.bin/anvil
CHROMIUM := /usr/bin/chromium
PYTEST_ARGS ?=

.PHONY: all setup demo test test-fast lint fmt gas bench clean browser-deps

all: setup

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Python packages, pinned in pyproject.toml; re-run when it changes.
$(VENV)/.stamp-deps: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

# anvil from the npm package @foundry-rs/anvil, pinned in package.json/package-lock.json,
# installed inside the project (node_modules/), never globally.
$(ANVIL): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian's Chromium for the browser tests (headless, no download of its own).
browser-deps:
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || { echo "error: could not install chromium (need root and Debian's package registry)"; exit 1; }; \
	fi

setup: $(VENV)/.stamp-deps $(ANVIL)

demo: $(VENV)/.stamp-deps
	$(BIN)/backstop demo --out out/demo

test: setup browser-deps
	$(BIN)/ruff check src tests
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)
	@echo "the pool contract suite again on the legacy code generator (SECURITY.md; the state machine 16 examples)"
	BACKSTOP_POOL_PIPELINE=legacy POOL_MACHINE_EXAMPLES=16 $(BIN)/pytest -n 2 tests/unit/pool tests/unit/factory tests/stateful

test-fast: setup
	$(BIN)/pytest -n 2 -m "not anvil and not browser and not slow" $(PYTEST_ARGS)

lint: $(VENV)/.stamp-deps
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

fmt: $(VENV)/.stamp-deps
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

gas: $(VENV)/.stamp-deps
	$(BIN)/backstop gas

clean:
	rm -rf $(VENV) node_modules out .pytest_cache .ruff_cache .hypothesis
