# Apprenticeship Service API platform. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# `make test` runs the suite on this many processes (pytest-xdist); 1 for a single one.
TEST_WORKERS ?= auto
# Links and the printed curl lines point at the address `make run` serves on.
APPRENTICESHIPS_PUBLIC_URL ?= http://$(HOST):$(PORT)
export APPRENTICESHIPS_PUBLIC_URL

.DEFAULT_GOAL := help

.PHONY: help
help: ## Show the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Front-end assets (GOV.UK Frontend) and axe-core for the browser tests, from the lock file.
NODE_STAMP := node_modules/.package-lock.json
$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "make: npm is needed for the portal's assets (apt-get install npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

.PHONY: install
install: $(STAMP) $(NODE_STAMP) ## Create .venv with the platform and its development tools, and node_modules

.PHONY: run
run: install ## Set up the embedded database and demo data, print demo keys and portal sign-ins, serve on http://127.0.0.1:8000
	$(BIN)/apprenticeships db upgrade
	$(BIN)/apprenticeships demo seed --vacancies 5000 --manifest var/demo-manifest.json
	@$(BIN)/apprenticeships demo keys
	@$(BIN)/apprenticeships demo sign-ins
	$(BIN)/apprenticeships serve --host $(HOST) --port $(PORT)

.PHONY: lint
lint: install ## ruff (lint and format check) and mypy (strict on src/)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

.PHONY: format
format: install ## Format and auto-fix the code
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

.PHONY: test
test: lint ## Lint, then run the whole test suite (on TEST_WORKERS processes, one per core by default)
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

.PHONY: bench
bench: install ## Load-test the gateway, the advert search and the portal pages with wrk on loopback (installs wrk if missing); time index refreshes
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(BIN)/python -m bench.gateway $(BENCH_ARGS)
	$(BIN)/python -m bench.search $(SEARCH_BENCH_ARGS)
	$(BIN)/python -m bench.index_refresh $(INDEX_BENCH_ARGS)
	$(BIN)/python -m bench.portal $(PORTAL_BENCH_ARGS)

.PHONY: clean
clean: ## Remove the virtual environment and local data (var/)
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
