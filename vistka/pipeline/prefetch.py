"""Fetch the next few article pages of a feed in background threads while entries are processed in order.

Network waits then overlap extraction and storage, instead of adding to them. Only HTTP runs in the
threads (no database work); every fetch still takes its turn in the per-host limiter, so politeness
(requests at once, gap between requests, Retry-After) is exactly what it is for sequential fetches.
Pages are fetched at most `ahead` entries in advance, so little is fetched in vain if a run stops.
`prepare(index, page)`, when given, runs in the fetching thread on each page fetched (the embedded
pipeline hands the page to its extraction processes there: vistka/pipeline/extractpool.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from vistka.pipeline import stagetimes
from vistka.pipeline.fetch import FetchPolicy, FetchResult, fetch
from vistka.pipeline.fetch.robots import check_robots


def fetch_page(link: str, policy: FetchPolicy) -> FetchResult:
    """robots.txt first (a disallowed page is never requested), then the page."""
    stagetimes.fetch_started(link)
    with stagetimes.stage("fetch"):
        check_robots(link, policy)
        return fetch(link, policy, expect="page")


class PagePrefetcher:
    """`pages(links)` yields, in order, a Future of each link's page (None for links not to prefetch),
    or of `prepare(index, page)` when given."""

    def __init__(self, policy: FetchPolicy, ahead: int, prepare: Callable[[int, FetchResult], Any] | None = None,
                 threads: ThreadPoolExecutor | None = None) -> None:
        """`threads`: the fetching threads to use, shared with other feeds' pages (poll_sources: the
        same threads, and their open connections, for all the sources of a pass); else its own."""
        self.policy, self.ahead, self.prepare, self.threads = policy, max(0, ahead), prepare, threads

    def _get(self, index: int, link: str):
        page = fetch_page(link, self.policy)
        return page if self.prepare is None else self.prepare(index, page)

    def pages(self, links: list[str | None]) -> Prefetched:
        """The pages of links, the first of them on their way at once (before the first is asked for:
        a poll can start its next feed's pages while it writes the last entries of one)."""
        return Prefetched(self, links)


class Prefetched(Iterator["Future | None"]):
    """The iterator `PagePrefetcher.pages` returns; `close()` drops what has not started and waits for
    what has (a `with` statement or `contextlib.closing` does it)."""

    def __init__(self, prefetcher: PagePrefetcher, links: list[str | None]) -> None:
        self.prefetcher, self.links, self.next = prefetcher, links, 0
        self.futures: dict[int, Future] = {}
        self.own = prefetcher.threads is None
        self.pool = None
        if prefetcher.ahead:
            self.pool = prefetcher.threads or ThreadPoolExecutor(prefetcher.ahead, thread_name_prefix="vistka-prefetch")
        self._keep_ahead()

    def _keep_ahead(self) -> None:
        """Keep `ahead` fetches queued or running beyond the entry being processed."""
        if self.pool is None:
            return
        for upcoming in range(self.next, min(self.next + self.prefetcher.ahead + 1, len(self.links))):
            if self.links[upcoming] and upcoming not in self.futures:
                self.futures[upcoming] = self.pool.submit(self.prefetcher._get, upcoming, self.links[upcoming])

    def __next__(self) -> Future | None:
        if self.next >= len(self.links):
            self.close()
            raise StopIteration
        self._keep_ahead()
        self.next += 1
        return self.futures.pop(self.next - 1, None)

    def close(self) -> None:
        """Drop what has not started (the caller stopped early) and wait for what has."""
        for future in self.futures.values():
            future.cancel()
        if self.pool is not None and self.own:
            self.pool.shutdown(wait=True)
        else:
            wait(self.futures.values())
        self.futures = {}

    def __enter__(self) -> Prefetched:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()
