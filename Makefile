# `make demo` (the main job) and `make test` (everything CI runs); `.ci/run` runs `make ci`.
# `make bench` runs the benchmarks (benchmarks/README.md; QUICK=1 for tiny counts, ONLY=a,b).
# `make docs` builds the documentation site into site/ (mkdocs.yml; warnings fail).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OLDEST := .venv-oldest
OLDEST_STAMP := $(OLDEST)/.installed
BENCH_STAMP := $(VENV)/.bench-installed
DEMO := .venv-demo
DEMO_STAMP := $(DEMO)/.installed

.PHONY: demo test test-oldest ci lint typecheck pytest install notebooks dist dist-check bench clean catalog fuzz docs newcomer

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	@echo "Installing the project, its test tools and the docs tools into $(VENV) (newest versions that resolve)..."
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --upgrade --upgrade-strategy eager -e '.[all,test,docs]'
	touch $(STAMP)

install: $(STAMP)

# The bench extra (peers, matplotlib) is for `make bench` only; `make test` never installs it.
$(BENCH_STAMP): pyproject.toml | $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[all,test,bench]'
	touch $(BENCH_STAMP)

bench: $(STAMP) $(BENCH_STAMP)
	$(BIN)/python benchmarks/_run_all.py $(if $(QUICK),--quick) $(if $(ONLY),--only $(ONLY))

# The demo's own venv with the `demo` extra only: no test tools, no Ray.
$(DEMO_STAMP): pyproject.toml
	$(PYTHON) -m venv $(DEMO)
	$(DEMO)/bin/python -m pip install --quiet --upgrade pip
	$(DEMO)/bin/python -m pip install --quiet -e '.[demo]'
	touch $(DEMO_STAMP)

demo:
	@$(MAKE) --no-print-directory -q $(DEMO_STAMP) 2>/dev/null || { \
	  echo "make demo: installing the project with LangChain, LangGraph, LlamaIndex and the emulator (the demo extra) into $(DEMO); the first run takes a few minutes (log: $(DEMO)-install.log)"; \
	  $(MAKE) --no-print-directory $(DEMO_STAMP) >$(DEMO)-install.log 2>&1 || { tail -n 30 $(DEMO)-install.log; exit 1; }; }
	$(DEMO)/bin/python demo/main.py

# The site, strictly: a warning (a broken link or anchor, a docstring griffe cannot read, a page
# missing from the nav) fails. tests/docs/test_site.py runs the same build in `make test`.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

# A newcomer's first hour: fresh venvs with the pip `python3 -m venv` gives, the documented
# install of each extra, each quickstart and notebook against the emulator (scripts/newcomer.sh).
newcomer:
	PYTHON=$(PYTHON) bash scripts/newcomer.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Twice: as the newest Python we target (pyproject's python_version) and as the oldest one
# requires-python allows, so 3.11-only names (typing.assert_never, Self, tomllib...) fail here.
# langchain_aimlapi is left out of the 3.10 pass: the newest langchain-core (1.8, installed here)
# requires Python 3.11 and its types use typing.NotRequired/Self, which mypy cannot read as 3.10;
# on Python 3.10 pip installs langchain-core 1.7 or older, whose types read fine there.
TYPED := aimlapi_core aimlapi_emulator langchain_aimlapi llama_index_aimlapi
TYPED_310 := aimlapi_core aimlapi_emulator llama_index_aimlapi
typecheck: $(STAMP)
	$(BIN)/mypy $(TYPED)
	$(BIN)/mypy --python-version 3.10 $(TYPED_310)

pytest: $(STAMP)
	$(BIN)/pytest

test: lint typecheck pytest

# The model catalogue and the model table of docs/models.md, from the schemas in docs/schemas/.
catalog: $(STAMP)
	$(BIN)/python scripts/build_catalog.py

# The lowest version of every direct dependency that pyproject.toml allows (uv's lowest-direct
# resolution, in a separate venv), then the whole test suite on it. Without the demo extra:
# its langchain>=1.4 needs langchain-core>=1.6, and the floor tested here is langchain-core 1.4.
$(OLDEST_STAMP): pyproject.toml $(STAMP)
	@echo "Installing the lowest supported versions of every direct dependency into $(OLDEST)..."
	rm -rf $(OLDEST)
	$(BIN)/uv venv --quiet --python $(BIN)/python $(OLDEST)
	$(BIN)/uv pip install --quiet --python $(OLDEST)/bin/python --resolution lowest-direct -e '.[langchain,llama-index,emulator,test]'
	$(BIN)/uv pip list --python $(OLDEST)/bin/python | grep -iE '^(httpx|pydantic|langchain-core|langchain|langgraph|llama-index-core|starlette|uvicorn) '
	touch $(OLDEST_STAMP)

# ResourceWarning is shown here, not an error as in `make test`: on the floor versions something
# leaves an asyncio event loop to the garbage collector, and the warning for its socket pair fails
# whichever test is running when the collector runs (tests/core/test_conformance.py, deterministic
# in a full run, never in a file alone). `make test` keeps it an error for our code.
test-oldest: $(OLDEST_STAMP)
	$(OLDEST)/bin/pytest -p no:cacheprovider -W default::ResourceWarning

# Regenerate notebooks/*.ipynb (with outputs) from the percent-format sources notebooks/*.py.
notebooks: $(STAMP)
	$(BIN)/python scripts/notebooks.py

# sdist + wheel into dist/.
dist: $(STAMP)
	rm -rf dist
	$(BIN)/uv build --quiet --out-dir dist

# The built wheel, with each extra, in clean venvs, calling the emulator.
dist-check: dist
	$(BIN)/python scripts/check_dist.py dist

ci: test test-oldest dist-check newcomer

# The hypothesis tests marked `fuzz` with the large budget (2,500 examples each).
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -m fuzz -q --hypothesis-show-statistics

clean:
	rm -rf $(VENV) $(VENV)-install.log $(OLDEST) $(DEMO) $(DEMO)-install.log dist site .pytest_cache .mypy_cache .ruff_cache
