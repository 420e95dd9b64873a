"""Editor decisions on articles: publish (approve), reject, withdraw — the same path for the admin,
the API and the CLI.

Withdrawal must take an article off every page, feed, sitemap and search at once. Pages and lists
only ever show PUBLISHED articles, so the status change does that; whatever keeps copies of rendered
output follows the content_changed event (vistka/core/events.py), sent here with everywhere.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import QuerySet

from vistka.core.events import content_changed
from vistka.core.models import Article, ArticleStatus

log = logging.getLogger("vistka.moderation")

def approve_articles(queryset: QuerySet[Article]) -> int:
    """Publish held, rejected or withdrawn articles (not ones still awaiting translation or failed)."""
    from vistka.pipeline.publish.decide import approve

    approvable = [ArticleStatus.IN_REVIEW, ArticleStatus.REJECTED, ArticleStatus.WITHDRAWN]
    articles = list(queryset.filter(status__in=approvable).select_related("source"))
    for article in articles:
        approve(article)
    return len(articles)


def reject_articles(queryset: QuerySet[Article]) -> int:
    return _take_down(queryset, ArticleStatus.REJECTED)


def withdraw_articles(queryset: QuerySet[Article]) -> int:
    return _take_down(queryset, ArticleStatus.WITHDRAWN)


def _take_down(queryset: QuerySet[Article], status: str) -> int:
    from vistka.pipeline.stories.grouping import record_changes

    with transaction.atomic():
        ids = list(queryset.exclude(status=status).values_list("pk", flat=True))
        Article.objects.filter(pk__in=ids).update(status=status)
        record_changes(ids)  # out of every worker's story index
    if ids:
        content_changed(ids, everywhere=True)
        log.info("%d article(s) set to %s: %s", len(ids), status, ids)
    return len(ids)


def set_status(article: Article, status: str) -> Article:
    """One article to `status` through the matching decision; used by the API."""
    if status not in DECISIONS:
        raise ValueError(f"status must be one of {', '.join(DECISIONS)}")
    DECISIONS[status](Article.objects.filter(pk=article.pk))
    article.refresh_from_db()
    return article


DECISIONS = {ArticleStatus.PUBLISHED: approve_articles, ArticleStatus.REJECTED: reject_articles,
             ArticleStatus.WITHDRAWN: withdraw_articles}
