"""Per-host politeness: at most N requests in flight to one host, a minimum gap between requests,
and no request at all while the host has asked us (Retry-After) to stay away.

`HostLimiter` is the interface; `InProcessHostLimiter` keeps its state in this process. A shared
store (Redis) can implement the same three methods when fetching moves to several workers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from vistka.pipeline.fetch.errors import FetchError

MAX_DEFER = 7 * 86400.0  # = response.MAX_RETRY_AFTER: no host is deferred longer, whatever it asked
MAX_CRAWL_DELAY = 60.0  # a Crawl-delay beyond this would stall polling; the scheduler spaces polls anyway


class HostLimiter(Protocol):
    def slot(self, host: str) -> AbstractContextManager[None]:
        """Hold one of the host's request slots for the duration of a request."""

    def defer(self, host: str, seconds: float) -> None:
        """The host asked us to wait `seconds` before the next request."""

    def deferred_for(self, host: str) -> float:
        """Seconds the host still asked us to wait (0 when free)."""

    def ask_delay(self, host: str, seconds: float) -> None:
        """The host asked for at least `seconds` between requests (robots.txt Crawl-delay)."""


class InProcessHostLimiter:
    def __init__(self, max_concurrent: int = 2, min_delay: float = 1.0):
        self.max_concurrent = max(1, max_concurrent)
        self.min_delay = max(0.0, min_delay)
        self._lock = threading.Lock()
        self._semaphores: dict[str, threading.BoundedSemaphore] = {}
        self._next_start: dict[str, float] = {}
        self._deferred_until: dict[str, float] = {}
        self._host_delay: dict[str, float] = {}

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        wait = self.deferred_for(host)
        if wait > 0:
            raise FetchError(f"{host} asked us to wait (Retry-After); next request allowed in {wait:.0f} s",
                             retry_after=wait)
        semaphore = self._semaphore(host)
        with semaphore:
            time.sleep(self._reserve_start(host))
            yield

    def defer(self, host: str, seconds: float) -> None:
        with self._lock:
            until = time.monotonic() + min(max(0.0, seconds), MAX_DEFER)
            self._deferred_until[host] = max(until, self._deferred_until.get(host, 0.0))

    def deferred_for(self, host: str) -> float:
        with self._lock:
            return max(0.0, self._deferred_until.get(host, 0.0) - time.monotonic())

    def ask_delay(self, host: str, seconds: float) -> None:
        with self._lock:
            self._host_delay[host] = min(max(0.0, seconds), MAX_CRAWL_DELAY)

    def _semaphore(self, host: str) -> threading.BoundedSemaphore:
        with self._lock:
            return self._semaphores.setdefault(host, threading.BoundedSemaphore(self.max_concurrent))

    def _reserve_start(self, host: str) -> float:
        """Book the next start time for the host; return how long this request must sleep first."""
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start.get(host, 0.0))
            self._next_start[host] = start + max(self.min_delay, self._host_delay.get(host, 0.0))
            return start - now


_shared: dict[tuple[int, float], InProcessHostLimiter] = {}
_shared_lock = threading.Lock()


def shared_limiter(max_concurrent: int, min_delay: float) -> InProcessHostLimiter:
    """The process-wide limiter for these limits, so every poll in this process shares one state."""
    with _shared_lock:
        key = (max_concurrent, min_delay)
        if key not in _shared:
            _shared[key] = InProcessHostLimiter(max_concurrent, min_delay)
        return _shared[key]
