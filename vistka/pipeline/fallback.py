"""Generic fallbacks: trafilatura's and htmldate's guesses, and a check of JSON-LD articleBody."""

from __future__ import annotations

import functools
import re
from datetime import datetime

import lxml.html
import trafilatura

from vistka.pipeline import structured
from vistka.pipeline.rules.apply import split_authors

WORD = re.compile(r"\w+")
MIN_ARTICLE_BODY_CHARS = 200
VISIBLE_SHARE = 0.9  # this much of articleBody must be on the page: a paywall's hidden full text is not
MISSED_SHARE = 0.1  # use articleBody only when the generic body misses more than this of it


class GenericMetadata:
    """trafilatura's metadata for a page, computed only when a field is still missing."""

    def __init__(self, tree: lxml.html.HtmlElement, url: str) -> None:
        self._tree, self._url = tree, url

    @functools.cached_property
    def _document(self):
        return trafilatura.extract_metadata(self._tree, default_url=self._url)

    @property
    def title(self) -> str:
        return (self._document.title or "") if self._document else ""

    @property
    def authors(self) -> list[str]:
        return split_authors(self._document.author or "") if self._document else []

    @property
    def image(self) -> str:
        return (self._document.image or "") if self._document else ""

    @property
    def published(self) -> datetime | None:
        return structured.parse_datetime(self._document.date or "") if self._document else None


def article_body_paragraphs(article_body: str, tree: lxml.html.HtmlElement, extracted_text: str) -> list[str]:
    """articleBody's paragraphs when it is plausible and the generic body lost part of it, else []."""
    if len(article_body) < MIN_ARTICLE_BODY_CHARS:
        return []
    wanted = set(WORD.findall(article_body.casefold()))
    visible = set(WORD.findall(_visible_text(tree).casefold()))
    if len(wanted & visible) < VISIBLE_SHARE * len(wanted):
        return []
    got = set(WORD.findall(extracted_text.casefold()))
    if len(wanted - got) <= MISSED_SHARE * len(wanted):
        return []
    return [" ".join(part.split()) for part in re.split(r"\n\s*\n|\n", article_body) if part.strip()]


def _visible_text(tree: lxml.html.HtmlElement) -> str:
    return " ".join(tree.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]"))
