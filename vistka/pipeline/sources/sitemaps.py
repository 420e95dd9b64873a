"""Sitemaps as a source of entries, for outlets without a feed: a (news) sitemap's <url> elements
become FeedEntry objects, newest first; Google News tags give the title and publication date."""

from __future__ import annotations

import re
from datetime import tzinfo

from lxml import etree

from vistka.pipeline.sources import dates
from vistka.pipeline.sources.entry import FeedEntry, FeedError

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
      "news": "http://www.google.com/schemas/sitemap-news/0.9"}
MAX_ENTRIES = 200  # a full-site sitemap can list millions of pages; only the newest matter


def looks_like_sitemap(content: bytes) -> bool:
    head = content[:2048].lower()
    return b"<urlset" in head or b"<sitemapindex" in head


def is_truncated(content: bytes) -> bool:
    """True when an XML document stops before its root element closes (a cut-off download)."""
    tail = content.rstrip()[-64:]
    return not tail.endswith(b">") or not re.search(rb"</[\w:.-]+>$", tail)


def parse_sitemap(content: bytes, tz: str | tzinfo | None = None) -> tuple[list[FeedEntry], list[str]]:
    """The sitemap's entries (newest first) and warnings in words; `tz` for dates without a zone."""
    root = _root(content)
    if etree.QName(root).localname == "sitemapindex":
        children = [loc.strip() for loc in root.xpath("//sm:sitemap/sm:loc/text()", namespaces=NS)]
        raise FeedError(f"this is a sitemap index, not a sitemap; use one of its sitemaps, e.g. "
                        f"{', '.join(children[:3]) or '(none listed)'}")
    warnings: list[str] = []
    entries = [entry for entry in (_entry(node, tz, warnings) for node in root.xpath("//sm:url", namespaces=NS))
               if entry]
    if is_truncated(content) and entries:
        entries.pop()  # its address may be cut short
        warnings.append("the sitemap ends early (truncated?); its last entry was ignored")
    entries.sort(key=lambda entry: entry.published.timestamp() if entry.published else 0, reverse=True)
    return entries[:MAX_ENTRIES], warnings


def sitemap_children(content: bytes) -> list[str]:
    """The sitemaps listed by a sitemap index (empty for anything else)."""
    try:
        root = _root(content)
    except FeedError:
        return []
    return [loc.strip() for loc in root.xpath("//sm:sitemap/sm:loc/text()", namespaces=NS)]


def _root(content: bytes) -> etree._Element:
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as error:
        raise FeedError(f"not a readable sitemap: {error}") from None
    if root is None:
        raise FeedError("not a readable sitemap (empty document)")
    return root


def _entry(node: etree._Element, tz: str | tzinfo | None, warnings: list[str]) -> FeedEntry | None:
    link = _text(node, "sm:loc")
    if not link:
        return None
    found = dates.first_date([("publication", _text(node, "news:news/news:publication_date")),
                              ("lastmod", _text(node, "sm:lastmod"))], tz, warnings=warnings)
    return FeedEntry(guid=link, link=link, title=_text(node, "news:news/news:title"),
                     published=found[1] if found else None)


def _text(node: etree._Element, path: str) -> str:
    found = node.xpath(f"{path}/text()", namespaces=NS)
    return found[0].strip() if found else ""

