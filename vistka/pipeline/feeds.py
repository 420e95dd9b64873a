"""Feed stage: RSS/Atom bytes in, a list of entries out (feedparser does the tolerant parsing)."""

from __future__ import annotations

import calendar
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


def parse_feed(content: bytes, base_url: str = "") -> list[FeedEntry]:
    """Entries of an RSS or Atom document; entries without any link are skipped."""
    parsed = feedparser.parse(content, response_headers={"content-location": base_url} if base_url else None)
    if parsed.bozo and not parsed.entries:
        reason = getattr(parsed, "bozo_exception", "unknown error")
        raise FeedError(f"not a readable RSS/Atom feed: {reason}")
    if not parsed.get("version") and not parsed.entries:
        raise FeedError("not an RSS/Atom feed (no feed elements found)")
    return [entry for entry in (_to_entry(raw) for raw in parsed.entries) if entry is not None]


def _to_entry(raw: feedparser.FeedParserDict) -> FeedEntry | None:
    link = (raw.get("link") or "").strip()
    guid = (raw.get("id") or link).strip()
    if not link:
        return None
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
