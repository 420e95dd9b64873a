"""From an outlet's address to something vistka can poll: the URL itself if it is a feed or a
sitemap, else the feeds its home page announces (<link rel=alternate>), else common feed paths,
else its news sitemap / sitemap (from robots.txt or the usual paths)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.html

from vistka.pipeline.fetch import FetchError, FetchPolicy, FetchResult, fetch
from vistka.pipeline.sources import sitemaps
from vistka.pipeline.sources.feedreader import FeedError, read_feed

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json")
COMMON_FEED_PATHS = ("/feed/", "/rss/", "/rss.xml", "/feed.xml", "/atom.xml", "/index.xml", "/rss", "/feed")
SITEMAP_PATHS = ("/news-sitemap.xml", "/sitemap_news.xml", "/sitemap-news.xml", "/sitemap.xml")


class DiscoveryError(Exception):
    """No feed or sitemap was found; the message lists what was tried."""


@dataclass
class Discovered:
    feed_url: str
    kind: str  # "feed" or "sitemap"
    homepage: str
    title: str = ""
    language: str = ""


def discover(url: str, policy: FetchPolicy) -> Discovered:
    try:
        page = fetch(url, policy)
    except FetchError as error:
        raise DiscoveryError(str(error)) from None
    direct = _as_source(page)
    if direct:
        return direct
    title, language, announced = _read_homepage(page)
    root = _site_root(page.url)
    for candidate in [*announced, *(urljoin(root, path) for path in COMMON_FEED_PATHS)]:
        found = _try(candidate, policy)
        if found:
            return Discovered(found.feed_url, found.kind, page.url, title or found.title, language)
    for candidate in [*_robots_sitemaps(root, policy), *(urljoin(root, path) for path in SITEMAP_PATHS)]:
        found = _try(candidate, policy)
        if found:
            return Discovered(found.feed_url, "sitemap", page.url, title, language)
    raise DiscoveryError(f"no feed or sitemap found for {url}: the page announces no feed, and none of "
                         f"{', '.join(COMMON_FEED_PATHS + SITEMAP_PATHS)} is one")


def _as_source(result: FetchResult) -> Discovered | None:
    """The fetched document itself as a feed or sitemap, or None."""
    content = result.utf8_content
    if sitemaps.looks_like_sitemap(content):
        children = sitemaps.sitemap_children(content)
        if children:  # an index: prefer its news sitemap
            chosen = next((c for c in children if "news" in c.lower()), children[0])
            return Discovered(chosen, "sitemap", _site_root(result.url))
        return Discovered(result.url, "sitemap", _site_root(result.url))
    try:
        feed = read_feed(content, result.url, result.headers.get("content-type", ""))
    except FeedError:
        return None
    if not feed.entries:
        return None
    return Discovered(result.url, "feed", _site_root(result.url))


def _try(url: str, policy: FetchPolicy) -> Discovered | None:
    try:
        return _as_source(fetch(url, policy, expect="feed"))
    except FetchError:
        return None


def _read_homepage(page: FetchResult) -> tuple[str, str, list[str]]:
    try:
        tree = lxml.html.document_fromstring(page.html_text)
    except (ValueError, lxml.etree.ParserError):
        return "", "", []
    links = tree.xpath("//link[contains(concat(' ', normalize-space(@rel), ' '), ' alternate ')][@href]")
    announced = [urljoin(page.url, link.get("href")) for link in links
                 if (link.get("type") or "").split(";")[0].strip().lower() in FEED_TYPES]
    title = " ".join((tree.findtext(".//title") or "").split())
    language = (tree.get("lang") or "").split("-")[0].lower()
    return title, language, list(dict.fromkeys(announced))


def _robots_sitemaps(root: str, policy: FetchPolicy) -> list[str]:
    try:
        text = fetch(urljoin(root, "/robots.txt"), policy, expect="robots").text
    except FetchError:
        return []
    found = [line.split(":", 1)[1].strip() for line in text.splitlines() if line.lower().startswith("sitemap:")]
    return sorted(found, key=lambda url: "news" not in url.lower())


def _site_root(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"
