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
from concurrent.futures import Future, ThreadPoolExecutor
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

    def __init__(self, policy: FetchPolicy, ahead: int, prepare: Callable[[int, FetchResult], Any] | None = None) -> None:
        self.policy, self.ahead, self.prepare = policy, max(0, ahead), prepare

    def _get(self, index: int, link: str):
        page = fetch_page(link, self.policy)
        return page if self.prepare is None else self.prepare(index, page)

    def pages(self, links: list[str | None]) -> Iterator[Future | None]:
        if self.ahead == 0:
            yield from (None for _ in links)
            return
        futures: dict[int, Future[FetchResult]] = {}
        with ThreadPoolExecutor(max_workers=self.ahead, thread_name_prefix="vistka-prefetch") as pool:
            try:
                for index in range(len(links)):
                    # keep `ahead` fetches queued or running beyond the entry being processed
                    for upcoming in range(index, min(index + self.ahead + 1, len(links))):
                        if links[upcoming] and upcoming not in futures:
                            futures[upcoming] = pool.submit(self._get, upcoming, links[upcoming])
                    yield futures.pop(index, None)
            finally:
                for future in futures.values():  # the caller stopped early: drop what has not started
                    future.cancel()
