"""robots.txt: fetched once per host, cached, and obeyed for article pages.

A missing robots.txt (any 4xx) allows everything; a server error or an unreachable host disallows
for a short while (RFC 9309 §2.3.1.4), so a struggling site is not hammered with article requests.
"""

from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from vistka.pipeline.fetch.client import fetch, host_key
from vistka.pipeline.fetch.errors import FetchError, RobotsDisallowed
from vistka.pipeline.fetch.policy import FetchPolicy

ROBOTS_TTL = 24 * 3600.0
UNREACHABLE_TTL = 600.0
AGENT = "vistka"


class RobotsCache:
    def __init__(self, ttl: float = ROBOTS_TTL):
        self.ttl = ttl
        self._lock = threading.Lock()
        self._rules: dict[str, tuple[float, RobotFileParser | None, str]] = {}
        self._downloading: dict[str, threading.Lock] = {}

    def check(self, url: str, policy: FetchPolicy) -> None:
        """Raise RobotsDisallowed (with the reason in words) when vistka may not fetch url."""
        if not policy.obey_robots:
            return
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        rules, problem = self._rules_for(origin, policy)
        delay = rules.crawl_delay(AGENT) if rules is not None else None
        if delay is not None and policy.limiter is not None:
            policy.limiter.ask_delay(host_key(url), float(delay))
        if rules is None:
            raise RobotsDisallowed(f"skipped {url}: {problem}; vistka will try again later")
        if not rules.can_fetch(AGENT, url):
            raise RobotsDisallowed(f"skipped {url}: {origin}/robots.txt does not allow vistka to fetch it")

    def _rules_for(self, origin: str, policy: FetchPolicy) -> tuple[RobotFileParser | None, str]:
        cached = self._cached(origin)
        if cached is not None:
            return cached
        # Pages fetched ahead in several threads (vistka/pipeline/prefetch.py) must not each download
        # the same robots.txt: the first one does, the others wait for its answer.
        with self._download_lock(origin):
            cached = self._cached(origin)
            if cached is not None:
                return cached
            rules, problem, ttl = _download(origin, policy)
            with self._lock:
                self._rules[origin] = (time.monotonic() + (ttl or self.ttl), rules, problem)
        return rules, problem

    def _cached(self, origin: str) -> tuple[RobotFileParser | None, str] | None:
        with self._lock:
            cached = self._rules.get(origin)
        return (cached[1], cached[2]) if cached and cached[0] > time.monotonic() else None

    def _download_lock(self, origin: str) -> threading.Lock:
        with self._lock:
            return self._downloading.setdefault(origin, threading.Lock())


def _download(origin: str, policy: FetchPolicy) -> tuple[RobotFileParser | None, str, float]:
    """(rules, problem, ttl override); rules None means 'disallow for now'."""
    parser = RobotFileParser(f"{origin}/robots.txt")
    try:
        response = fetch(f"{origin}/robots.txt", policy, expect="robots")
    except FetchError as error:
        if error.status is not None and 400 <= error.status < 500 and error.status != 429:
            parser.parse([])
            return parser, "", 0.0
        return None, f"{origin}/robots.txt could not be read ({error})", UNREACHABLE_TTL
    parser.parse(response.text.splitlines())
    return parser, "", 0.0


_shared = RobotsCache()


def check_robots(url: str, policy: FetchPolicy) -> None:
    """The process-wide robots.txt cache's verdict on url."""
    _shared.check(url, policy)
