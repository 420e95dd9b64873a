"""Fetch stage: polite, bounded HTTP for feeds, pages and images.

    policy.py    what a fetch may do (timeouts, limits, User-Agent, limiter)
    client.py    fetch() and FetchResult
    guard.py     the SSRF guard, checked on the connected address of every hop
    response.py  status, Retry-After, content type, size and decompression limits
    charset.py   decoding, including windows-1251 / koi8-u
    limiter.py   per-host concurrency, delay and Retry-After
    robots.py    robots.txt, fetched once per host and cached
"""

from vistka.pipeline.fetch.client import FetchResult, fetch
from vistka.pipeline.fetch.errors import AddressRefused, FetchError, RobotsDisallowed
from vistka.pipeline.fetch.policy import FetchPolicy

__all__ = ["AddressRefused", "FetchError", "FetchPolicy", "FetchResult", "RobotsDisallowed", "fetch"]
