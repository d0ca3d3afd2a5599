# conflictlens — the front door. `make reports` and `make test` set everything up first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export PYTHONHASHSEED := 0
export TZ := UTC
export LC_ALL := C.UTF-8
export MPLBACKEND := Agg

.PHONY: setup reports test test-fast lab bench bench-growth lint clean

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

WH_CORPUS := data/raw/whitehouse/whitehouse-2023-10_2024-03.jsonl.gz

# One JSON record per line: news-like synthetic on 1 and 2 cores, the dense stress
# profile, and the real White House corpus on 1 and 2 cores.
bench: setup
	mkdir -p reports/bench
	( $(BIN)/conflictlens bench --articles 2000 --jobs 1 && \
	  $(BIN)/conflictlens bench --articles 2000 --jobs 2 && \
	  $(BIN)/conflictlens bench --articles 500 --profile dense && \
	  $(BIN)/conflictlens bench --corpus $(WH_CORPUS) --jobs 1 && \
	  $(BIN)/conflictlens bench --corpus $(WH_CORPUS) --jobs 2 ) | tee reports/bench/bench.jsonl

# How time and memory grow with corpus size (1k, 10k, 100k articles; takes a while).
bench-growth: setup
	mkdir -p reports/bench
	( for n in 1000 10000 100000; do $(BIN)/conflictlens bench --articles $$n --jobs 1 --no-stages; done ) \
	  | tee reports/bench/growth.jsonl

lint: setup
	$(BIN)/ruff check src tests notebooks
	$(BIN)/ruff format --check src tests

clean:
	rm -rf $(VENV) data/processed/* reports/*/
