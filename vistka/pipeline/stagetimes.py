"""Where ingest time goes: seconds per stage, and each page's time from its fetch to its publication.

Off (a no-op costing one global read per stage) unless a recorder is switched on with `recording()`,
as `make bench-ingest` does. Times are exclusive: a stage nested in another (language detection
inside storing, the search index inside a save) is not counted twice. Stages run in several threads
(page fetches) and processes (extraction, see extractpool.py) are summed, so the total may exceed the
wall time: it is the work done, per stage. Each stage's CPU time (its threads' own, `time.thread_time`)
is kept beside its wall time: on a machine whose cores are all busy, a stage's wall time includes its
waits for a core, and only the CPU time says what the stage itself costs.
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
        self.seconds: dict[str, float] = defaultdict(float)  # wall time
        self.cpu: dict[str, float] = defaultdict(float)  # the same stages' CPU time
        self.fetch_started: dict[str, float] = {}  # page link → time.time() its fetch began
        self.published: dict[str, float] = {}  # page link → time.time() its publication was committed
        self._lock = threading.Lock()

    def add(self, name: str, seconds: float, cpu: float) -> None:
        with self._lock:
            self.seconds[name] += seconds
            self.cpu[name] += cpu

    def times(self) -> dict[str, tuple[float, float]]:
        """Each stage's (wall, CPU) seconds: what an extraction process hands back to be merged."""
        with self._lock:
            return {name: (spent, self.cpu[name]) for name, spent in self.seconds.items()}

    def merge(self, times: dict[str, tuple[float, float]]) -> None:
        """Times measured elsewhere (an extraction process) for this recorder's run."""
        with self._lock:
            for name, (spent, cpu) in times.items():
                self.seconds[name] += spent
                self.cpu[name] += cpu


_RECORDER: Recorder | None = None
_STACK = threading.local()  # per thread: [[wall started, CPU started, wall excluded, CPU excluded]]


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
    frame = [time.perf_counter(), time.thread_time(), 0.0, 0.0]
    stack.append(frame)
    try:
        yield
    finally:
        stack.pop()
        spent, cpu = time.perf_counter() - frame[0], time.thread_time() - frame[1]
        recorder.add(name, spent - frame[2], cpu - frame[3])
        if stack:
            stack[-1][2] += spent
            stack[-1][3] += cpu


def fetch_started(link: str) -> None:
    if _RECORDER is not None:
        _RECORDER.fetch_started.setdefault(link, time.time())


def published(link: str) -> None:
    if _RECORDER is not None:
        _RECORDER.published.setdefault(link, time.time())


def merge(times: dict[str, tuple[float, float]]) -> None:
    """Add stage times measured in another process (`Recorder.times`) to the active recorder."""
    if _RECORDER is not None:
        _RECORDER.merge(times)
