"""What every reader of a source yields: a feed entry (RSS/Atom, JSON Feed or a sitemap's page), or
a FeedError. Its own module so that the readers (feedreader.py, sitemaps.py) need not import each other."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


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
