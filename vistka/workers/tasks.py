"""Celery tasks: thin wrappers that call the same pipeline functions as the embedded default.

Every task takes ids or plain data (never model instances) and is safe to run twice: the
(source, guid) and url constraints make a repeated ingest a no-op, and a stored-but-unprocessed
article is processed again.
"""

from __future__ import annotations

import dataclasses
import logging

from vistka.workers.app import app

log = logging.getLogger("vistka.workers")


@app.task(name="vistka.workers.tasks.poll_source_task")
def poll_source_task(source_id: int) -> dict:
    from vistka.core.models import Source
    from vistka.pipeline.run import poll_source

    source = Source.objects.filter(pk=source_id, active=True).first()
    if source is None:
        return {"skipped": source_id}
    report = poll_source(source, ingest=enqueue_entry)
    return dataclasses.asdict(report)


def enqueue_entry(source, entry, policy) -> None:
    """The `ingest` of poll_source in worker mode: hand the entry to the fetch queue."""
    ingest_entry_task.delay(source.pk, entry_to_dict(entry))
    return None


@app.task(name="vistka.workers.tasks.ingest_entry_task")
def ingest_entry_task(source_id: int, entry: dict) -> int | None:
    """One entry; its unexpected failure is recorded on its article (retried with backoff by later
    polls, then quarantined), never raised into Celery, which would only log and drop it."""
    from vistka.core.models import Article, Source
    from vistka.pipeline.fetch import FetchPolicy
    from vistka.pipeline.run import ingest_entry, store_failure

    source = Source.objects.filter(pk=source_id).first()
    if source is None:
        return None  # deleted since the poll
    feed_entry = entry_from_dict(entry)
    try:
        article = ingest_entry(source, feed_entry, FetchPolicy.from_settings(), then=enqueue_processing)
    except Exception as error:  # noqa: BLE001 - the boundary of one entry, as in poll_source
        log.exception("%s: entry %s failed unexpectedly", source.name, feed_entry.link)
        existing = Article.objects.filter(source=source, guid=feed_entry.guid).first()
        article = store_failure(source, feed_entry, existing, f"internal error: {type(error).__name__}: {error}")
    return article.pk if article else None


def enqueue_processing(article) -> None:
    """Translation can be slow, so it runs on its own queue and never stalls fetching."""
    process_article_task.delay(article.pk)


@app.task(name="vistka.workers.tasks.process_article_task")
def process_article_task(article_id: int) -> str:
    from vistka.core.models import Article, ArticleStatus
    from vistka.pipeline.run import process_isolated, process_stored_article

    article = Article.objects.select_related("source").filter(pk=article_id).first()
    if article is None or article.status not in (ArticleStatus.FETCHED, ArticleStatus.AWAITING_TRANSLATION):
        return "nothing to do"
    if not process_isolated(article, process_stored_article):
        return article.status  # failed, recorded on the article; retried with backoff, then quarantined
    if article.story_id:
        enqueue_settling()
    return article.status


SETTLE_PENDING_KEY = "vistka:settle-pending"


def enqueue_settling() -> None:
    """One settling pass (vistka/pipeline/stories/settle.py) VISTKA_STORY_SETTLE_DELAY seconds after a burst of
    grouped articles begins; articles grouped while it is pending are covered by it, and any grouped
    after it started schedule the next."""
    import redis
    from django.conf import settings

    if settings.STORY_SETTLE_HOURS <= 0:
        return
    delay = settings.STORY_SETTLE_DELAY
    client = redis.Redis.from_url(settings.BROKER_URL)
    if client.set(SETTLE_PENDING_KEY, 1, nx=True, ex=delay + settings.TASK_VISIBILITY_TIMEOUT):
        settle_task.apply_async(countdown=delay)


@app.task(name="vistka.workers.tasks.settle_task")
def settle_task() -> int:
    import redis
    from django.conf import settings

    from vistka.pipeline.stories.settle import settle_recent

    redis.Redis.from_url(settings.BROKER_URL).delete(SETTLE_PENDING_KEY)
    return settle_recent()


@app.task(name="vistka.workers.tasks.resume_unfinished_task")
def resume_unfinished_task() -> int:
    from vistka.pipeline.run import resume_unfinished

    return resume_unfinished()


def entry_to_dict(entry) -> dict:
    data = dataclasses.asdict(entry)
    data["published"] = entry.published.isoformat() if entry.published else None
    return data


def entry_from_dict(data: dict):
    from vistka.pipeline.sources import FeedEntry
    from vistka.pipeline.sources.dates import normalise_date

    return FeedEntry(**{**data, "published": normalise_date(data.get("published"))})
