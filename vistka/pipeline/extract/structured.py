"""Structured metadata a page declares about itself: JSON-LD NewsArticle, OpenGraph and meta tags."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from datetime import datetime

import lxml.html

ARTICLE_TYPES = {"NewsArticle", "Article", "ReportageNewsArticle", "BlogPosting", "AnalysisNewsArticle"}


@dataclass
class PageMetadata:
    title: str = ""
    description: str = ""
    authors: list[str] = field(default_factory=list)
    published: datetime | None = None
    updated: datetime | None = None
    image: str = ""
    site_name: str = ""  # the outlet's name (og:site_name, JSON-LD publisher): titles often carry it
    article_body: str = ""
    sources: dict[str, str] = field(default_factory=dict)  # field -> "json-ld" or "meta"
    hidden_selectors: list[str] = field(default_factory=list)  # paywall boxes the page marks as such
    has_article: bool = False  # a JSON-LD article without an author means the page names none

    def source(self, name: str) -> str:
        return self.sources.get(name, "meta")
    keywords: list[str] = field(default_factory=list)  # the publisher's tags
    entities: list[str] = field(default_factory=list)  # schema.org about/mentions: people, places, bodies


def read_metadata(tree: lxml.html.HtmlElement) -> PageMetadata:
    """JSON-LD first; meta tags fill what it lacks."""
    meta = PageMetadata()
    article = _json_ld_article(tree)
    if article:
        meta.has_article = True
        meta.title = _text(article.get("headline"))
        meta.description = _text(article.get("description"))
        meta.authors = _names(article.get("author"))
        meta.published = parse_datetime(_text(article.get("datePublished")))
        meta.updated = parse_datetime(_text(article.get("dateModified")))
        meta.image = _image_url(article.get("image"))
        body = article.get("articleBody")
        meta.article_body = html.unescape(body) if isinstance(body, str) else ""
        meta.hidden_selectors = _paywalled_parts(article)
        meta.sources = {name: "json-ld" for name in ("title", "description", "authors", "published",
                                                      "updated", "image") if getattr(meta, name)}
        meta.keywords = _keywords(article.get("keywords"))
        meta.entities = _names(article.get("about")) + _names(article.get("mentions"))
    tags = _meta_tags(tree)
    meta.keywords = meta.keywords or _keywords(tags.get("news_keywords") or tags.get("keywords"))
    meta.site_name = _site_name(article, tags)
    meta.title = meta.title or tags.get("og:title", "")
    meta.description = meta.description or tags.get("og:description", "") or tags.get("description", "")
    meta.published = meta.published or parse_datetime(tags.get("article:published_time", ""))
    meta.updated = meta.updated or parse_datetime(tags.get("article:modified_time", ""))
    meta.image = meta.image or tags.get("og:image", "")
    if not meta.authors and tags.get("author"):
        meta.authors = [tags["author"]]
    return meta


def parse_datetime(value: str) -> datetime | None:
    """ISO 8601 with or without time zone; None when unreadable (never raises on page data)."""
    if not value or not isinstance(value, str):
        return None
    value = value.strip()
    if re.fullmatch(r".*[+-]\d{4}", value):  # "+0200" offsets, common in meta tags
        value = f"{value[:-2]}:{value[-2:]}"
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _json_ld_article(tree: lxml.html.HtmlElement) -> dict | None:
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        for item in _flatten(data):
            kinds = item.get("@type")
            kinds = set(kinds) if isinstance(kinds, list) else {kinds}
            if kinds & ARTICLE_TYPES:
                return item
    return None


def _flatten(data: object) -> list[dict]:
    if isinstance(data, list):
        return [item for element in data for item in _flatten(element)]
    if isinstance(data, dict):
        return [data, *_flatten(data["@graph"])] if "@graph" in data else [data]
    return []


def _meta_tags(tree: lxml.html.HtmlElement) -> dict[str, str]:
    tags: dict[str, str] = {}
    for element in tree.xpath("//meta[@content]"):
        key = (element.get("property") or element.get("name") or "").strip().lower()
        if key and key not in tags:
            tags[key] = unescape(element.get("content", ""))
    return tags


def unescape(text: str) -> str:
    """Entities decoded and whitespace collapsed. JSON-LD is not HTML, so lxml leaves its `&#8217;` and
    `&quot;` alone, and many CMSs escape meta content twice (`&amp;#8217;`)."""
    for _ in range(2):
        if "&" not in text:
            break
        text = html.unescape(text)
    return " ".join(text.split())


def _text(value: object) -> str:
    return unescape(value) if isinstance(value, str) else ""


def _site_name(article: dict | None, tags: dict[str, str]) -> str:
    publisher = article.get("publisher") if article else None
    names = _names(publisher if isinstance(publisher, dict | list) else [])
    return tags.get("og:site_name") or tags.get("application-name") or (names[0] if names else "")


def _names(value: object) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip():
            names.append(unescape(name))
    return names


def _keywords(value: object) -> list[str]:
    """JSON-LD allows a list or one comma-separated string; meta tags use the latter."""
    items = value if isinstance(value, list) else (value.split(",") if isinstance(value, str) else [])
    return [unescape(item) for item in items if isinstance(item, str) and item.strip()]


def _image_url(value: object) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("url", "")
    return value if isinstance(value, str) else ""


def _paywalled_parts(article: dict) -> list[str]:
    """CSS selectors of parts marked `isAccessibleForFree: false` (the paywall markup search engines read)."""
    parts = article.get("hasPart")
    parts = parts if isinstance(parts, list) else [parts]
    return [part["cssSelector"] for part in parts if isinstance(part, dict)
            and str(part.get("isAccessibleForFree")).lower() == "false" and isinstance(part.get("cssSelector"), str)]
