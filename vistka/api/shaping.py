"""Turning stored articles into API records, through the same licence decision as the article page."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from vistka.core.licence import ShownText, shown_text
from vistka.core.models import Article
from vistka.core.weburl import http_url


def public_articles() -> QuerySet[Article]:
    """Only published articles, ever; with what the records need fetched in a fixed number of queries."""
    return Article.objects.published_with_translation()


def shown(article: Article) -> ShownText:
    cached = article.__dict__.get("_api_shown")
    if cached is None:
        article.take_prefetched_translation()
        cached = article.__dict__["_api_shown"] = shown_text(article, settings.EXCERPT_WORDS)
    return cached


def article_record(article: Article, request) -> dict:
    text = shown(article)
    source = article.source
    return {
        "id": article.pk, "url": request.build_absolute_uri(article.get_absolute_url()),
        "original_url": http_url(article.url),
        "source": {"id": source.pk, "name": source.name, "homepage": http_url(source.homepage),
                   "language": source.language, "licence_mode": source.licence_mode, "active": source.active},
        "language": article.language, "title": text.title, "lead": text.lead, "body_html": text.body_html,
        "licence_mode": text.mode, "truncated": text.truncated, "translated": text.translated,
        "translation": translation_record(article) if text.translated else None,
        "published_at": article.published_at, "story_id": article.story_id,
    }


def translation_record(article: Article) -> dict | None:
    """Who translated the shown text: the editors, or which machine-translation engine and model."""
    translation = article.translation
    if translation is None:
        return None
    by_editors = translation.provenance == "editors"
    return {"provenance": translation.provenance, "engine": "" if by_editors else translation.engine,
            "model_id": "" if by_editors else translation.model_id, "reviewed": translation.reviewed}
