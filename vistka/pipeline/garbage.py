"""Python's cyclic garbage collector set for a pipeline process: start-up's objects frozen, the
youngest objects collected less often.

Measured over `make bench-ingest` (990 real pages) with a gc.callbacks meter: the embedded process
spent 2.25 s in the collector (~6% of its CPU), 1.75 s of it in 19 full collections of ~226,000
objects each (~90 ms apiece), half of them start-up's (Django, the modules, the models: ~114,000),
which live as long as the process; each extraction process spent 0.28-0.30 s. With start-up's objects
frozen (`gc.freeze`: a generation no collection walks) and the youngest generation collected after
10,000 allocations instead of 700: 0.52 s and 0.04-0.05 s, for a peak ~8 MB higher
(docs/deployment.md).

Only what exists when the process has started is frozen, once: an object frozen that later becomes
cyclic garbage is never freed, and start-up's objects live as long as the process. Set by the
pipeline's own processes (`vistka fetch`, `vistka run`, the extraction processes), not by a library
caller; the web processes freeze their own start-up in vistka/config/wsgi.py. The Celery workers
are not tuned: measured the same way, their collections cost 0.1-0.2% of their CPU.
"""

from __future__ import annotations

import gc
from functools import cache

YOUNGEST_THRESHOLD = 10_000  # allocations (less deallocations) between two collections of the youngest generation


@cache
def tune_for_the_pipeline() -> None:
    """Freeze what this process holds now and collect its youngest objects less often (once a process)."""
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNGEST_THRESHOLD, middle, oldest)
