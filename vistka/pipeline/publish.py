"""Publish stage: the last word on whether an article appears on the site, and why not."""

from __future__ import annotations

from django.conf import settings

from vistka.core.models import Article, ArticleStatus
from vistka.pipeline import translating


def needs_translation(article: Article) -> bool:
    return bool(article.language) and article.language != settings.SITE_LANGUAGE


def publish(article: Article, *, translated: bool, reason: str = "") -> None:
    """Publish when the article is in the site language or translated; else hold it with `reason`.
    A translation with QA flags that the settings hold goes to an editor ('in review') instead."""
    held = translating.review_reason(article) if translated else ""
    if held:
        article.status, article.error = ArticleStatus.IN_REVIEW, held
    elif not needs_translation(article) or translated:
        article.status, article.error = ArticleStatus.PUBLISHED, ""
    elif settings.PUBLISH_UNTRANSLATED:
        article.status, article.error = ArticleStatus.PUBLISHED, f"published untranslated: {reason}"
    else:
        article.status, article.error = ArticleStatus.AWAITING_TRANSLATION, reason
    article.save(update_fields=["status", "error"])
