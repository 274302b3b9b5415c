# Two commands: `make demo` (the main job) and `make test` (everything CI runs).
# `make bench` runs the benchmarks (benchmarks/README.md; QUICK=1 for tiny counts, ONLY=a,b).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed

.PHONY: demo test lint typecheck pytest install bench clean catalog

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[all,test]'
	touch $(STAMP)

install: $(STAMP)

# The bench extra (peers, matplotlib) is for `make bench` only; `make test` never installs it.
$(BENCH_STAMP): pyproject.toml | $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[all,test,bench]'
	touch $(BENCH_STAMP)

bench: $(STAMP) $(BENCH_STAMP)
	$(BIN)/python benchmarks/_run_all.py $(if $(QUICK),--quick) $(if $(ONLY),--only $(ONLY))

demo: $(STAMP)
	$(BIN)/python demo/main.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Twice: as the newest Python we target (pyproject's python_version) and as the oldest one
# requires-python allows, so 3.11-only names (typing.assert_never, Self, tomllib...) fail here.
TYPED := aimlapi_core aimlapi_emulator langchain_aimlapi llama_index_aimlapi
typecheck: $(STAMP)
	$(BIN)/mypy $(TYPED)
	$(BIN)/mypy --python-version 3.10 $(TYPED)

pytest: $(STAMP)
	$(BIN)/pytest

test: lint typecheck pytest

# The model catalogue and the README model table, from the schemas in docs/schemas/.
catalog: $(STAMP)
	$(BIN)/python scripts/build_catalog.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
