"""What of an article may be shown, given its outlet's licence mode.

One decision used by every place that shows article text (article page, feeds, API), so a source
set to "link" can never leak its body through a side door:

- full:    the whole (translated) text;
- excerpt: the lead and the first EXCERPT_WORDS words of the body, with a prominent link to the original;
- link:    the title and a summary only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.html
from django.utils.html import escape

from vistka.core.models import Article, LicenceMode

EXCERPT_WORDS = 120


@dataclass(frozen=True)
class ShownText:
    mode: str
    title: str
    lead: str
    body_html: str  # sanitised HTML (or escaped plain text), safe to render as is
    truncated: bool  # True when the reader must follow original_url for the rest
    original_url: str
    translated: bool


def shown_text(article: Article, excerpt_words: int = EXCERPT_WORDS, *, original: bool = False) -> ShownText:
    """The title, lead and body a reader may see of `article`: the translation when there is one
    (unless `original`, for the page showing the outlet's own text)."""
    translation = None if original else article.translation
    title = translation.title if translation else article.title
    lead = translation.lead if translation else article.lead
    body = translation.body_html if translation else article.body_html
    mode = article.source.licence_mode
    if mode == LicenceMode.FULL:
        return ShownText(mode, title, lead, body, False, article.url, bool(translation))
    if mode == LicenceMode.LINK:
        summary = lead or _first_words(_plain_text(article.feed_summary), 40)
        return ShownText(mode, title, summary, "", True, article.url, bool(translation))
    opening = _first_words(_plain_text(body), excerpt_words)
    body_html = f"<p>{escape(opening)}</p>" if opening else ""
    return ShownText(mode, title, lead, body_html, True, article.url, bool(translation))


def _plain_text(html: str) -> str:
    if not html or not html.strip():
        return ""
    # Blocks end in a space, or the last word of a paragraph would run into the next one.
    spaced = re.sub(r"(</(?:p|h[1-6]|li|blockquote|figcaption)>|<br\s*/?>)", r"\1 ", html, flags=re.I)
    try:
        return " ".join(lxml.html.fromstring(spaced).text_content().split())
    except (ValueError, lxml.etree.ParserError):
        return ""


def _first_words(text: str, limit: int) -> str:
    words = text.split()
    if len(words) <= limit:
        return " ".join(words)
    return " ".join(words[:limit]) + " …"
