# vistka — the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo test lint fetch serve clean browser-deps eval-extract eval-extract-real eval-pictures eval-stories bench-translate bench-serve bench-servers bench-stories bench-ingest bench-scale bench-wedged wrk-deps

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

# The site on PORT, the sample outlets on OUTLETS_PORT: `make demo PORT=8080 OUTLETS_PORT=8081`.
PORT ?= 8000
OUTLETS_PORT ?= 8001

demo: $(STAMP)
	@$(BIN)/vistka demo --install-model --port $(PORT) --outlets-port $(OUTLETS_PORT)

# Debian's Chromium for the browser tests; skipped (tests then say why) where it cannot be installed.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then (apt-get update -qq && apt-get install -y -qq chromium chromium-driver) >/dev/null 2>&1 \
	    || echo "note: could not install Debian's chromium; browser tests will skip"; \
	  else echo "note: chromium missing and not root; browser tests will skip (apt-get install chromium)"; fi; }

# The layer contracts (pyproject.toml, [tool.importlinter]) before the suite; the 15 slowest tests after it.
test: $(TEST_STAMP) browser-deps
	$(BIN)/ruff check vistka tests bench
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q --durations=15

# Extraction quality on the gold sample pages, side by side with trafilatura and readability-lxml.
eval-extract: $(TEST_STAMP)
	$(BIN)/python bench/eval_extract.py

# Extraction on the real-page corpora (../shared/corpora or VISTKA_CORPORA): vistka, plain trafilatura and
# readability-lxml on trafilatura-eval and readability-test-pages; floors in bench/baselines/extract_real.json.
eval-extract-real: $(TEST_STAMP)
	$(BIN)/python bench/eval_extract_real.py $(ARGS)

# Real pages through the whole ingest path; every picture shown must be ours (../shared/corpora).
eval-pictures: $(TEST_STAMP)
	$(BIN)/python -m bench.eval_pictures $(ARGS)

# wrk (Debian) loads the site from a second process in `make bench-serve`.
wrk-deps:
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null 2>&1 \
	    || echo "note: could not install Debian's wrk"; \
	  else echo "note: wrk missing and not root (apt-get install wrk)"; fi; }

# The site under gunicorn, loaded with wrk at 32 clients; ARGS="--articles 5000 --duration 20" to change the scale.
bench-serve: $(TEST_STAMP) wrk-deps
	$(BIN)/python -m bench.bench_serve $(ARGS)

# The WSGI server choice: runserver vs gunicorn (as `vistka serve` runs it) vs waitress, loaded with wrk.
bench-servers: $(TEST_STAMP) wrk-deps
	$(BIN)/python -m bench.bench_servers $(ARGS)

# PostgreSQL at scale (needs PostgreSQL and Redis on 127.0.0.1): synthetic articles loaded with COPY, page and
# story-assignment latency, ingest with 1 and 2 Celery workers. ARGS="--articles 200000" to change the scale,
# ARGS="--articles 1000000 --only pages" for the reader's pages alone.
bench-scale: $(TEST_STAMP)
	$(BIN)/python -m bench.bench_scale $(ARGS)

lint: $(TEST_STAMP)
	$(BIN)/ruff check vistka tests bench
	$(BIN)/lint-imports
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

# Translation speed (vistka's engine path vs raw CTranslate2) and translation-memory saving; chrF
# too when a real uk→en package is installed (`vistka translate install uk en`). See docs/translation.md.
bench-translate: $(TEST_STAMP)
	$(BIN)/python bench/bench_translate.py

# Embedded pipeline throughput (translation off) against plain trafilatura on the same generated pages.
bench-ingest: $(TEST_STAMP)
	$(BIN)/python -m bench.bench_ingest $(ARGS)

# Real pages (../shared/corpora) and every hostile fault as local outlets, two `vistka fetch` passes.
bench-wedged: $(TEST_STAMP)
	$(BIN)/python bench/never_wedged.py $(ARGS)
