# Apprenticeship Service API platform. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
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

.PHONY: install
install: $(STAMP) ## Create .venv with the platform and its development tools

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
test: lint ## Lint, then run the whole test suite
	$(BIN)/pytest $(PYTEST_ARGS)

.PHONY: bench
bench: install ## Load-test the gateway and the advert search with wrk on loopback (installs wrk if missing); time index refreshes
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(BIN)/python -m bench.gateway $(BENCH_ARGS)
	$(BIN)/python -m bench.search $(SEARCH_BENCH_ARGS)
	$(BIN)/python -m bench.index_refresh $(INDEX_BENCH_ARGS)

.PHONY: clean
clean: ## Remove the virtual environment and local data (var/)
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
