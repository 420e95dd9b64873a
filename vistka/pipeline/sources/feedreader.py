"""Feed stage: RSS/Atom/JSON Feed bytes in, a list of entries out (feedparser does the tolerant
XML parsing, jsonfeed.py the JSON; every date goes through dates.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from urllib.parse import urljoin

import feedparser

from vistka.pipeline.sources import dates, jsonfeed
from vistka.pipeline.sources.entry import FeedEntry, FeedError


@dataclass
class ParsedFeed:
    entries: list[FeedEntry]
    warnings: list[str] = field(default_factory=list)


def parse_feed(content: bytes, base_url: str = "", content_type: str = "") -> list[FeedEntry]:
    """Entries of an RSS, Atom or JSON Feed document (or a sitemap); entries without any link are skipped."""
    return read_feed(content, base_url, content_type).entries


def read_feed(content: bytes, base_url: str = "", content_type: str = "",
              tz: str | tzinfo | None = None) -> ParsedFeed:
    """Entries plus, in words, what was wrong with the document but did not stop us reading it.

    `content_type` is the response's Content-Type (feedparser reports a document without one as not
    well-formed); `content` is UTF-8 (FetchResult.utf8_content), so any charset it names is replaced.
    `tz` is the source's time zone, for dates that do not give theirs (dates.py)."""
    from vistka.pipeline.sources import sitemaps

    if sitemaps.looks_like_sitemap(content):
        entries, warnings = sitemaps.parse_sitemap(content, tz)
        return ParsedFeed(entries, summarised(warnings))
    if jsonfeed.looks_like_json(content, content_type):
        return _read_json_feed(content, base_url, tz)
    content = without_doctypes(content)
    headers = {"content-type": _as_utf8(content_type or "application/xml")}
    if base_url:
        headers["content-location"] = base_url
    try:
        parsed = feedparser.parse(content, response_headers=headers)
    except Exception as error:  # feedparser is tolerant, but a parser crash must not stop the poll
        raise FeedError(f"the feed could not be parsed: {type(error).__name__}: {error}") from None
    if not parsed.entries:
        _refuse_empty(parsed, content)
    raw_entries = list(parsed.entries)
    warnings: list[str] = []
    if parsed.bozo and sitemaps.is_truncated(content) and raw_entries:
        raw_entries.pop()  # cut off mid-entry: its link or guid may be incomplete
        warnings.append("the feed ends early (truncated?); its last entry was ignored")
    entries = [entry for entry in (_to_entry(raw, tz, warnings) for raw in raw_entries) if entry is not None]
    if len(entries) < len(raw_entries):
        warnings.append(f"{len(raw_entries) - len(entries)} of {len(raw_entries)} entries have no usable link "
                        f"and were skipped")
    if parsed.bozo and not isinstance(parsed.get("bozo_exception"), feedparser.CharacterEncodingOverride):
        warnings.append(f"the feed is not well-formed ({parsed.get('bozo_exception')}); "
                        f"read {len(raw_entries)} entries anyway")
    return ParsedFeed(entries, summarised(warnings))


def summarised(warnings: list[str], at_most: int = 3) -> list[str]:
    """Distinct warnings, the first few in full: a feed of 200 badly dated entries gives one line, not 200."""
    distinct = list(dict.fromkeys(warnings))
    if len(distinct) <= at_most:
        return distinct
    return [*distinct[:at_most], f"and {len(distinct) - at_most} more like these"]


def _as_utf8(content_type: str) -> str:
    """The Content-Type with its charset set to UTF-8, which the bytes are by now."""
    media_type = content_type.split(";")[0].strip() or "application/xml"
    return f"{media_type}; charset=utf-8"


def without_doctypes(content: bytes) -> bytes:
    """Feeds need no DTD. Every <!DOCTYPE ...> declaration, wherever it is in the document (not only
    near the start) and with its internal subset, is dropped: no entity expansion (billion laughs),
    no external entities. One pass over the document; an unterminated declaration ends it."""
    lowered = content.lower()
    if b"<!doctype" not in lowered:
        return content
    kept, position = [], 0
    while (start := lowered.find(b"<!doctype", position)) >= 0:
        kept.append(content[position:start])
        position = _doctype_end(lowered, start)
    kept.append(content[position:])
    return b"".join(kept)


def _doctype_end(lowered: bytes, start: int) -> int:
    """The index just past the declaration that begins at `start` (the end of the document if it never closes)."""
    close, bracket = lowered.find(b">", start), lowered.find(b"[", start)
    if close < 0:
        return len(lowered)
    if 0 <= bracket < close:  # an internal subset: it ends at "]" followed by ">"
        end = lowered.find(b"]", bracket)
        while end >= 0:
            after = lowered[end + 1:end + 64].lstrip()
            if after.startswith(b">"):
                return lowered.find(b">", end) + 1
            end = lowered.find(b"]", end + 1)
        return len(lowered)
    return close + 1


def _refuse_empty(parsed: feedparser.FeedParserDict, content: bytes) -> None:
    """A document without entries is an error unless it is a well-formed, empty feed."""
    head = content[:1024].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or (b"<html" in head and not parsed.get("version")):
        raise FeedError("the address serves an HTML page, not a feed "
                        "(`vistka sources add` with the outlet's home page finds its feed)")
    if parsed.bozo and not isinstance(parsed.get("bozo_exception"), feedparser.CharacterEncodingOverride):
        raise FeedError(f"not a readable RSS/Atom feed: {parsed.get('bozo_exception', 'unknown error')}")
    if not parsed.get("version"):
        raise FeedError("not an RSS/Atom feed (no feed elements found)")


def _read_json_feed(content: bytes, base_url: str, tz: str | tzinfo | None) -> ParsedFeed:
    try:
        _title, items = jsonfeed.parse_json_feed(content)
    except jsonfeed.JsonFeedError as error:
        raise FeedError(f"not a readable JSON Feed: {error}") from None
    from vistka.pipeline.sources.urlclean import normalise_url

    warnings: list[str] = []
    entries = []
    for item in items:
        link = normalise_url(urljoin(base_url, item.url) if base_url else item.url)
        if not link.startswith(("http://", "https://")):
            continue
        published = dates.first_date([("entry", item.date_published), ("entry", item.date_modified)],
                                     tz, warnings=warnings)
        entries.append(FeedEntry(guid=item.id[:1000] or link, link=link, title=item.title, summary=item.summary,
                                 content_html=item.content_html, published=published[1] if published else None,
                                 authors=item.authors, tags=item.tags))
    if len(entries) < len(items):
        warnings.append(f"{len(items) - len(entries)} of {len(items)} entries have no usable link and were skipped")
    return ParsedFeed(entries, summarised(warnings))


def _to_entry(raw: feedparser.FeedParserDict, tz: str | tzinfo | None = None,
              warnings: list[str] | None = None) -> FeedEntry | None:
    from vistka.pipeline.sources.urlclean import normalise_url

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
        published=_entry_time(raw, tz, warnings),
        authors=[a.get("name", "").strip() for a in raw.get("authors", []) if a.get("name")],
        tags=[t.get("term", "").strip() for t in raw.get("tags", []) if t.get("term")],
    )


def _entry_time(raw: feedparser.FeedParserDict, tz: str | tzinfo | None = None,
                warnings: list[str] | None = None) -> datetime | None:
    """The entry's date, each candidate in turn, warnings for the bad ones. ISO 8601 and RFC 2822 text
    is read by dates.py (so a date without a zone takes the source's); feedparser's own reading
    (UTC) only for the odd formats it knows and dates.py does not."""
    candidates = [(name, _date_candidate(raw, name)) for name in ("published", "updated")]
    found = dates.first_date(candidates, tz, warnings=warnings)
    return found[1] if found else None


def _date_candidate(raw: feedparser.FeedParserDict, name: str) -> object:
    # dict.get: FeedParserDict.get("updated") falls back to "published" (with a DeprecationWarning).
    text, parsed = dict.get(raw, name), dict.get(raw, f"{name}_parsed")
    if not isinstance(text, str) or not text.strip():
        return parsed
    if dates.looks_iso(text):
        return text  # feedparser reads "10000-01-01" as 2010-12-01; ours rejects it, with the reason
    try:
        dates.parse_date_text(text)
    except ValueError:
        return parsed
    return text
