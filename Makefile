# vistka — the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo test lint fetch serve clean browser-deps eval-stories bench-stories

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("vistka needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(STAMP)
	-$(BIN)/vistka translate install uk en
	$(BIN)/vistka demo

# Debian's Chromium for the browser tests; skipped (tests then say why) where it cannot be installed.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then (apt-get update -qq && apt-get install -y -qq chromium chromium-driver) >/dev/null 2>&1 \
	    || echo "note: could not install Debian's chromium; browser tests will skip"; \
	  else echo "note: chromium missing and not root; browser tests will skip (apt-get install chromium)"; fi; }

test: $(TEST_STAMP) browser-deps
	$(BIN)/ruff check vistka tests
	$(BIN)/python -m pytest -q

lint: $(TEST_STAMP)
	$(BIN)/ruff check vistka tests
	$(BIN)/ruff format --check vistka tests || true

# Story clustering against the gold sample corpus; fails below bench/baselines/stories.json.
eval-stories: $(TEST_STAMP)
	$(BIN)/python bench/eval_stories.py

# Time to assign one article and find its related posts, at growing N (BENCH_STORIES_N to change).
BENCH_STORIES_N ?= 1000,10000,30000,100000
bench-stories: $(TEST_STAMP)
	$(BIN)/python bench/bench_stories.py --sizes $(BENCH_STORIES_N)

clean:
	rm -rf $(VENV) data .pytest_cache test-artifacts
