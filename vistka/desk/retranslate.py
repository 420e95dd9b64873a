"""Re-translate stored articles in a resumable job (see jobs.py)."""

from __future__ import annotations

from django.conf import settings

from vistka.core.events import content_changed
from vistka.core.models import Article, ArticleStatus
from vistka.desk.jobs import JobOutcome, run_resumable

RETRANSLATABLE = [ArticleStatus.PUBLISHED, ArticleStatus.IN_REVIEW, ArticleStatus.AWAITING_TRANSLATION]


def retranslate_articles(source_name: str | None = None, *, restart: bool = False,
                         progress: bool = False) -> JobOutcome:
    articles = Article.objects.filter(status__in=RETRANSLATABLE).exclude(language=settings.SITE_LANGUAGE)
    if source_name:
        articles = articles.filter(source__name=source_name)
    job = "retranslate-" + (source_name or "all").replace("/", "_").replace(" ", "_")
    return run_resumable(job, articles.values_list("pk", flat=True), _retranslate_one,
                         progress=progress, restart=restart)


def _retranslate_one(pk: int) -> None:
    from vistka.pipeline.run import process_stored_article
    from vistka.pipeline.translate import translating

    article = Article.objects.select_related("source").get(pk=pk)
    if article.status == ArticleStatus.AWAITING_TRANSLATION:
        process_stored_article(article)  # translates, then publishes or holds for review as usual
    else:
        translating.translate_into_site_language(article)
        content_changed([article.pk])
