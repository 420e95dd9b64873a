"""Where ingest time goes: seconds per stage, and each page's time from its fetch to its publication.

Off (a no-op costing one global read per stage) unless a recorder is switched on with `recording()`,
as `make bench-ingest` does. Times are exclusive: a stage nested in another (language detection
inside storing, the search index inside a save) is not counted twice. Stages run in several threads
(page fetches) and processes (extraction, see extractpool.py) are summed, so the total may exceed the
wall time: it is the work done, per stage.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

STAGES = ("fetch", "pictures", "decode", "extract", "language", "store", "index", "stories", "related", "publish")


class Recorder:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.fetch_started: dict[str, float] = {}  # page link → time.time() its fetch began
        self.published: dict[str, float] = {}  # page link → time.time() its publication was committed
        self._lock = threading.Lock()

    def add(self, name: str, seconds: float) -> None:
        with self._lock:
            self.seconds[name] += seconds

    def merge(self, seconds: dict[str, float]) -> None:
        """Times measured elsewhere (an extraction process) for this recorder's run."""
        with self._lock:
            for name, value in seconds.items():
                self.seconds[name] += value


_RECORDER: Recorder | None = None
_STACK = threading.local()  # per thread: [(stage, started, time excluded so far)]


@contextmanager
def recording() -> Iterator[Recorder]:
    global _RECORDER
    previous, _RECORDER = _RECORDER, Recorder()
    try:
        yield _RECORDER
    finally:
        _RECORDER = previous


def active() -> bool:
    return _RECORDER is not None


@contextmanager
def stage(name: str, recorder: Recorder | None = None) -> Iterator[None]:
    """Count the time inside as `name`'s (minus nested stages)."""
    recorder = recorder or _RECORDER
    if recorder is None:
        yield
        return
    stack = getattr(_STACK, "frames", None)
    if stack is None:
        stack = _STACK.frames = []
    frame = [time.perf_counter(), 0.0]
    stack.append(frame)
    try:
        yield
    finally:
        stack.pop()
        spent = time.perf_counter() - frame[0]
        recorder.add(name, spent - frame[1])
        if stack:
            stack[-1][1] += spent


def fetch_started(link: str) -> None:
    if _RECORDER is not None:
        _RECORDER.fetch_started.setdefault(link, time.time())


def published(link: str) -> None:
    if _RECORDER is not None:
        _RECORDER.published.setdefault(link, time.time())


def merge(seconds: dict[str, float]) -> None:
    """Add stage times measured in another process to the active recorder."""
    if _RECORDER is not None:
        _RECORDER.merge(seconds)
