"""Publish stage: the last word on whether an article appears on the site, and why not."""

from __future__ import annotations

from django.conf import settings

from vistka.core import events
from vistka.core.models import Article, ArticleStatus
from vistka.pipeline.publish import review


def needs_translation(article: Article) -> bool:
    return bool(article.language) and article.language != settings.SITE_LANGUAGE


def publish(article: Article, *, translated: bool, reason: str = "") -> None:
    """Publish when the article is in the site language or translated; else hold it with `reason`.
    Articles the review rules hold (source set to review, held QA flags) go to an editor instead."""
    if not needs_translation(article) or translated:
        article.status, article.error = ArticleStatus.PUBLISHED, ""
    elif settings.PUBLISH_UNTRANSLATED:
        article.status, article.error = ArticleStatus.PUBLISHED, f"published untranslated: {reason}"
    else:
        article.status, article.error = ArticleStatus.AWAITING_TRANSLATION, reason
    if article.status == ArticleStatus.PUBLISHED:
        _hold_for_review_if_needed(article)
    article.save(update_fields=["status", "error"])


def _hold_for_review_if_needed(article: Article) -> None:
    reasons = review.review_reasons(article)
    if reasons:
        article.status, article.error = ArticleStatus.IN_REVIEW, "; ".join(reasons)


def approve(article: Article) -> None:
    """An editor publishes a reviewed article; it joins a story like any other."""
    from vistka.pipeline.stories.grouping import group_into_story

    article.status, article.error = ArticleStatus.PUBLISHED, ""
    article.save(update_fields=["status", "error"])
    group_into_story(article)
    events.content_changed([article.pk])
