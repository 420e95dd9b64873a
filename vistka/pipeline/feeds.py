"""Feed stage: RSS/Atom bytes in, a list of entries out (feedparser does the tolerant parsing)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

import feedparser


class FeedError(Exception):
    """The document is not a usable feed; the message says why."""


@dataclass
class FeedEntry:
    guid: str
    link: str
    title: str = ""
    summary: str = ""
    content_html: str = ""
    published: datetime | None = None
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


@dataclass
class ParsedFeed:
    entries: list[FeedEntry]
    warnings: list[str] = field(default_factory=list)


def parse_feed(content: bytes, base_url: str = "") -> list[FeedEntry]:
    """Entries of an RSS or Atom document (or a sitemap); entries without any link are skipped."""
    return read_feed(content, base_url).entries


def read_feed(content: bytes, base_url: str = "") -> ParsedFeed:
    """Entries plus, in words, what was wrong with the document but did not stop us reading it."""
    from vistka.pipeline import sitemaps

    if sitemaps.looks_like_sitemap(content):
        return ParsedFeed(*sitemaps.parse_sitemap(content))
    content = _without_doctype(content)
    try:
        parsed = feedparser.parse(content, response_headers={"content-location": base_url} if base_url else None)
    except Exception as error:  # feedparser is tolerant, but a parser crash must not stop the poll
        raise FeedError(f"the feed could not be parsed: {type(error).__name__}: {error}") from None
    if not parsed.entries:
        _refuse_empty(parsed, content)
    raw_entries = list(parsed.entries)
    warnings = []
    if parsed.bozo and sitemaps.is_truncated(content) and raw_entries:
        raw_entries.pop()  # cut off mid-entry: its link or guid may be incomplete
        warnings.append("the feed ends early (truncated?); its last entry was ignored")
    entries = [entry for entry in (_to_entry(raw) for raw in raw_entries) if entry is not None]
    if len(entries) < len(raw_entries):
        warnings.append(f"{len(raw_entries) - len(entries)} of {len(raw_entries)} entries have no usable link "
                        f"and were skipped")
    if parsed.bozo and not isinstance(parsed.get("bozo_exception"), feedparser.CharacterEncodingOverride):
        warnings.append(f"the feed is not well-formed ({parsed.get('bozo_exception')}); "
                        f"read {len(raw_entries)} entries anyway")
    return ParsedFeed(entries, warnings)


_DOCTYPE = re.compile(rb"<!DOCTYPE[^>\[]*(\[.*?\]\s*)?>", re.IGNORECASE | re.DOTALL)


def _without_doctype(content: bytes) -> bytes:
    """Feeds need no DTD; dropping it means no entity expansion (billion laughs) and no external entities."""
    head = content[:65536]
    stripped = _DOCTYPE.sub(b"", head, count=1)
    return content if stripped == head else stripped + content[65536:]


def _refuse_empty(parsed: feedparser.FeedParserDict, content: bytes) -> None:
    head = content[:1024].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or (b"<html" in head and not parsed.get("version")):
        raise FeedError("the address serves an HTML page, not a feed "
                        "(`vistka sources add` with the outlet's home page finds its feed)")
    if parsed.bozo:
        raise FeedError(f"not a readable RSS/Atom feed: {parsed.get('bozo_exception', 'unknown error')}")
    if not parsed.get("version"):
        raise FeedError("not an RSS/Atom feed (no feed elements found)")


def _to_entry(raw: feedparser.FeedParserDict) -> FeedEntry | None:
    from vistka.pipeline.urlclean import normalise_url

    link = normalise_url(raw.get("link") or "")
    if not link.startswith(("http://", "https://")):
        return None
    guid = (raw.get("id") or "").strip()[:1000] or link
    content = raw.get("content") or []
    return FeedEntry(
        guid=guid,
        link=link,
        title=(raw.get("title") or "").strip(),
        summary=(raw.get("summary") or "").strip(),
        content_html=content[0].get("value", "") if content else "",
        published=_entry_time(raw),
        authors=[a.get("name", "").strip() for a in raw.get("authors", []) if a.get("name")],
        tags=[t.get("term", "").strip() for t in raw.get("tags", []) if t.get("term")],
    )


def _entry_time(raw: feedparser.FeedParserDict) -> datetime | None:
    parsed = raw.get("published_parsed") or raw.get("updated_parsed")
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
