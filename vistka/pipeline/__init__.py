"""The pipeline: a package per stage (sources, fetch, extract, translate, stories, publish; language.py is
one module) under the runner (run.py, loop.py, prefetch.py, extractpool.py). processor.py lists an
article's steps in order; docs/ARCHITECTURE.md has the map and the layer contracts."""
