"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), read into the same raw entries as RSS/Atom.

The installed feedparser (6.x) has no JSON Feed support and the PyPI packages for it are abandoned
(jsonfeed 0.0.1, 2017) or tiny one-person projects, while the format is plain JSON with a dozen
fields; so it is read here and tested against the specification's own examples (tests/pipeline/sources/test_feeds.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

MAX_ITEMS = 1000  # a feed lists recent items; more is a broken or hostile document


class JsonFeedError(ValueError):
    """Not a JSON Feed; the message says why."""


@dataclass
class JsonFeedItem:
    id: str
    url: str
    title: str = ""
    summary: str = ""
    content_html: str = ""
    date_published: str = ""
    date_modified: str = ""
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


def looks_like_json(content: bytes, content_type: str = "") -> bool:
    return content.lstrip()[:1] == b"{" or "json" in content_type.lower()


def parse_json_feed(content: bytes) -> tuple[str, list[JsonFeedItem]]:
    """(the feed's title, its items); JsonFeedError for anything that is not a JSON Feed."""
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise JsonFeedError(f"not valid JSON ({error})") from None
    if not isinstance(data, dict):
        raise JsonFeedError("the JSON document is not an object")
    version = data.get("version")
    if not isinstance(version, str) or not version.startswith("https://jsonfeed.org/version/"):
        raise JsonFeedError("JSON without a JSON Feed version (https://jsonfeed.org/version/1.1)")
    items = data.get("items")
    if not isinstance(items, list):
        raise JsonFeedError("the JSON Feed has no items list")
    # An item without authors has the feed's (both versions say so).
    feed_authors = _authors(data)
    parsed = [_item(raw, feed_authors) for raw in items[:MAX_ITEMS]]
    return _text(data.get("title")), [item for item in parsed if item is not None]


def _item(raw: object, feed_authors: list[str]) -> JsonFeedItem | None:
    if not isinstance(raw, dict):
        return None
    url = _text(raw.get("url")) or _text(raw.get("external_url"))
    identifier = raw.get("id")
    # 1.0 allowed numbers as ids ("should be coerced to a string"); 1.1 requires a string.
    identifier = str(identifier) if isinstance(identifier, str | int) and not isinstance(identifier, bool) else ""
    return JsonFeedItem(
        id=identifier.strip() or url, url=url, title=_text(raw.get("title")),
        summary=_text(raw.get("summary")) or _text(raw.get("content_text"))[:1000],
        content_html=raw.get("content_html") if isinstance(raw.get("content_html"), str) else "",
        date_published=_text(raw.get("date_published")), date_modified=_text(raw.get("date_modified")),
        authors=_authors(raw) or feed_authors, tags=[tag.strip() for tag in raw.get("tags") or [] if isinstance(tag, str) and tag.strip()]
        if isinstance(raw.get("tags"), list) else [],
    )


def _authors(raw: dict) -> list[str]:
    """1.1's `authors` list, else 1.0's single `author` object."""
    authors = raw.get("authors")
    if not isinstance(authors, list):
        authors = [raw.get("author")]
    return [author["name"].strip() for author in authors
            if isinstance(author, dict) and isinstance(author.get("name"), str) and author["name"].strip()]


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
