# conflictlens — the front door. `make reports` and `make test` set everything up first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export PYTHONHASHSEED := 0
export TZ := UTC
export LC_ALL := C.UTF-8
export MPLBACKEND := Agg

.PHONY: setup reports test test-fast lab bench lint clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,dask]"
	$(BIN)/python -m ipykernel install --sys-prefix --name conflictlens --display-name "Python (conflictlens)" >/dev/null
	touch $(STAMP)

reports: setup
	$(BIN)/conflictlens run

test: setup
	$(BIN)/python -m pytest

test-fast: setup
	$(BIN)/python -m pytest -m "not slow and not browser"

# MPLBACKEND emptied for Lab: its kernels' inline backend shows figures (Agg would hide them).
lab: setup
	MPLBACKEND= $(BIN)/jupyter lab notebooks/

bench: setup
	mkdir -p reports/bench
	$(BIN)/conflictlens bench --articles 2000 --format json | tee reports/bench/bench.json

lint: setup
	$(BIN)/ruff check src tests notebooks
	$(BIN)/ruff format --check src tests

clean:
	rm -rf $(VENV) data/processed/* reports/*/
