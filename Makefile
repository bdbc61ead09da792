# Entry points. On a fresh machine with only Python 3.11 and pip, the first
# target that needs the environment creates .venv and installs the project.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9]*.ipynb)) $(wildcard notebooks/briefing.ipynb)
# Stored notebooks are checked against a fixed figures folder so nbval runs do
# not touch the committed figures.
NBVAL := DVC_FIGURES_DIR=$(CURDIR)/out/nbval-figures $(PY) -m pytest --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:randomly

.DEFAULT_GOAL := help
.PHONY: help venv briefings test unit nbval notebooks lab lint format bench stress units-data figure-baselines archive evaluation clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements/constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements/constraints.txt -e ".[dev]"
	@touch $(STAMP)

venv: $(STAMP)  ## create .venv and install the project with its dev tools

briefings: $(STAMP)  ## render the default briefing grid (data/briefings.yml) into out/
	$(PY) -m dvcanalysis.cli render

test: $(STAMP)  ## unit tests, then nbval over the stored notebooks
	$(PY) -m pytest tests
	$(NBVAL) $(NOTEBOOKS)

unit: $(STAMP)  ## unit tests only
	$(PY) -m pytest tests

nbval: $(STAMP)  ## nbval over the stored notebooks only
	$(NBVAL) $(NOTEBOOKS)

notebooks: $(STAMP)  ## re-execute the stored notebooks in place (keep outputs; commit them)
	$(PY) scripts/run_notebooks.py $(NOTEBOOKS)

PORT ?= 8888
lab: $(STAMP)  ## open JupyterLab on the notebooks (make lab PORT=8899; as root it adds --allow-root)
	$(VENV)/bin/jupyter lab notebooks/ --port=$(PORT) $(if $(filter 0,$(shell id -u)),--allow-root,)

lint: $(STAMP)  ## ruff lint and format check (package, tests, notebooks)
	$(VENV)/bin/ruff check dvcanalysis tests scripts benchmarks notebooks
	$(VENV)/bin/ruff format --check dvcanalysis tests scripts benchmarks

format: $(STAMP)  ## apply ruff formatting and safe fixes
	$(VENV)/bin/ruff check --fix dvcanalysis tests scripts benchmarks notebooks
	$(VENV)/bin/ruff format dvcanalysis tests scripts benchmarks

bench: $(STAMP)  ## benchmarks, each printing its ratio against the obvious alternative
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

stress: $(STAMP)  ## render 320 tiny notebooks (320 kernel starts); report failures (expect 0)
	$(PY) scripts/stress_render.py --runs 320

figure-baselines: $(STAMP)  ## rewrite tests/baseline/figures/ after an intended figure change (review, commit)
	DVC_GENERATE_BASELINES=1 $(PY) -m pytest tests/test_figure_baselines.py -q -rs -p no:randomly

archive: $(STAMP)  ## write the data vintage's default forecast to data/forecasts/ (once; never rewritten)
	$(PY) -m dvcanalysis.forecast.archive

evaluation: $(STAMP)  ## the rolling evaluation of the default forecast (relative WIS, coverage, PIT)
	$(PY) -m dvcanalysis.evaluation

units-data: $(STAMP)  ## re-derive data/units/ from data/raw/admin-units/
	$(PY) scripts/build_units.py

clean:  ## remove rendered outputs and caches (not .venv)
	rm -rf out .pytest_cache .ruff_cache .hypothesis
