"""Find an outlet's feed from its home page (`<link rel="alternate" type="application/rss+xml">`),
so an editor can add a source by the address they know."""

from __future__ import annotations

from urllib.parse import urljoin

import lxml.html

from vistka.pipeline.fetch import FetchError, FetchPolicy, fetch

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+xml", "application/xml")


class DiscoveryError(Exception):
    """No feed could be found; the message says why, for the editor."""


def discover_feed(homepage: str, policy: FetchPolicy | None = None) -> str:
    """The first feed the page announces, as an absolute URL; the page itself when it is a feed."""
    try:
        page = fetch(homepage, policy or FetchPolicy.from_settings())
    except FetchError as error:
        raise DiscoveryError(f"could not load {homepage}: {error}") from None
    if _looks_like_feed(page.content):
        return page.url
    try:
        document = lxml.html.fromstring(page.content)
    except (ValueError, lxml.etree.ParserError):
        raise DiscoveryError(f"{homepage} is not an HTML page") from None
    for link in document.iterfind(".//link[@href]"):
        rel = (link.get("rel") or "").lower().split()
        if "alternate" in rel and (link.get("type") or "").lower() in FEED_TYPES:
            return urljoin(page.url, link.get("href").strip())
    raise DiscoveryError(f"{homepage} announces no RSS or Atom feed; give the feed URL instead")


def _looks_like_feed(content: bytes) -> bool:
    head = content[:500].lstrip().lower()
    return head.startswith(b"<?xml") and (b"<rss" in content[:2000] or b"<feed" in content[:2000])
