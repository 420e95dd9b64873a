"""The orchestrator: runs the stages in a fixed order for every new feed entry.

    poll feed → fetch page → extract → detect language → store (sanitised) → translate → story → publish

A stage failure is recorded on the source (feed problems) or the article (page problems) and the
run goes on with the next entry. Sanitising happens inside extract, before anything is stored.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from concurrent.futures import Future
from contextlib import closing
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from vistka.core.models import Article, ArticleStatus, FetchLog, Source, TopicKind
from vistka.pipeline import grouping, health, images, publish, schedule, settle, tagging, translating
from vistka.pipeline.extract import Extracted, ExtractionError, extract_article
from vistka.pipeline.feeds import FeedEntry, FeedError, read_feed
from vistka.pipeline.fetch import FetchError, FetchPolicy, FetchResult, fetch
from vistka.pipeline.fetch.robots import check_robots
from vistka.pipeline.language import detect_language
from vistka.pipeline.pending import triage
from vistka.pipeline.prefetch import PagePrefetcher

log = logging.getLogger("vistka.pipeline")


@dataclass
class PollReport:
    source: str
    entries: int = 0
    new: int = 0
    failed: int = 0
    not_modified: bool = False
    error: str = ""
    articles: list[int] = field(default_factory=list)


def poll_source(source: Source, policy: FetchPolicy | None = None, on_entry=None, ingest=None) -> PollReport:
    """Poll one source's feed and ingest every entry not stored yet.

    `ingest(source, entry, policy)` defaults to ingesting in this process; the Celery workers pass
    a function that enqueues the entry instead (vistka/workers/tasks.py). Entries already stored and
    done are skipped after one look-up for the whole feed (vistka/pipeline/pending.py).
    """
    policy = policy or FetchPolicy.from_settings()
    report = PollReport(source.name)
    source.last_polled_at = timezone.now()
    try:
        response = fetch(source.feed_url, policy, etag=source.etag, last_modified=source.last_modified,
                          expect="feed")
        parsed = None if response.not_modified else read_feed(response.utf8_content, source.feed_url)
    except (FetchError, FeedError) as error:
        health.record_failure(source, str(error), getattr(error, "retry_after", None))
        report.error = str(error)
        _log_poll(source, report)
        return report
    entries = parsed.entries if parsed else []
    report.not_modified = response.not_modified
    report.entries = len(entries)
    pending = triage(source, entries)
    for _skipped in range(len(entries) - len(pending) if on_entry else 0):
        on_entry()
    # In this process, the next pages are fetched while this one is processed (vistka/pipeline/prefetch.py).
    ahead = settings.FETCH_AHEAD if ingest is None else 0
    pages = PagePrefetcher(policy, ahead).pages([item.entry.link if item.new else None for item in pending])
    with closing(pages):
        for item, page in zip(pending, pages, strict=True):
            if ingest is None:
                outcome = ingest_entry(source, item.entry, policy, new=item.new, page=page)
            else:
                outcome = ingest(source, item.entry, policy)
            if outcome is not None:
                report.new += 1
                report.failed += outcome.status == ArticleStatus.FAILED
                report.articles.append(outcome.pk)
            if on_entry:
                on_entry()
    health.record_success(source, response.etag, response.last_modified, parsed.warnings if parsed else [])
    _log_poll(source, report)
    return report


def _log_poll(source: Source, report: PollReport) -> None:
    """Kept for the dashboard's success rates and throughput (see vistka/core/dashboard.py)."""
    FetchLog.objects.create(source=source, at=source.last_polled_at, ok=not report.error, error=report.error,
                            entries=report.entries, new=report.new, failed=report.failed)


def ingest_entry(source: Source, entry: FeedEntry, policy: FetchPolicy, then=None, *, new: bool = False,
                 page: Future[FetchResult] | None = None) -> Article | None:
    """Run the article stages for one entry; None when it is already stored (re-polls add nothing).

    `then(article)` runs the stages after storing (default: in this process); workers enqueue them.
    Safe to repeat: an entry stored but not processed (a worker died in between) is processed again.
    `new`: the caller has just found nothing stored under the entry's guid or link (a race with another
    process then ends in the unique constraints, as without it); `page`: its page, being fetched ahead.
    """
    then = then or process_stored_article
    existing = None if new else Article.objects.filter(source=source, guid=entry.guid).first()
    if existing is not None and existing.status == ArticleStatus.FETCHED:
        then(existing)
        return None
    if existing is not None and (existing.status != ArticleStatus.FAILED or not schedule.retry_due(existing)):
        return None
    if not new and Article.objects.filter(url=entry.link).exclude(source=source, guid=entry.guid).exists():
        return None  # the same article under another entry (or outlet): stored once
    try:
        check_robots(entry.link, policy)
        extracted = _fetch_and_extract(entry, policy, source.extraction_rules, page)
    except (FetchError, ExtractionError) as error:
        return _store_failure(source, entry, existing, str(error))
    try:
        article = _store_article(source, entry, extracted, existing)
    except IntegrityError:
        log.info("%s: %s is already stored under another entry", source.name, entry.link)
        return None
    _attach_image(article, policy)
    then(article)
    return article


def process_stored_article(article: Article) -> None:
    """Translate (when needed), group into a story and publish — also used to retry held articles."""
    translated, reason = False, ""
    if publish.needs_translation(article):
        translated, reason = translating.translate_into_site_language(article)
    # Publishing and joining a story commit together, so an interrupted worker never leaves a
    # published article outside any story.
    with transaction.atomic():
        publish.publish(article, translated=translated, reason=reason)
        if article.status == ArticleStatus.PUBLISHED and article.story_id is None:
            grouping.assign_story(article)
    if article.status == ArticleStatus.PUBLISHED:
        grouping.update_related(article)


def group_into_story(article: Article) -> None:
    """Story (one article at a time across all workers: stories are shared state), then related posts."""
    if article.story_id is None:
        with transaction.atomic():
            grouping.assign_story(article)
    grouping.update_related(article)


def resume_unfinished() -> int:
    """Carry on with articles held for translation (e.g. a package was installed since) or interrupted
    between storing and publishing; returns how many got published."""
    published = 0
    unfinished = [ArticleStatus.AWAITING_TRANSLATION, ArticleStatus.FETCHED]
    for article in Article.objects.filter(status__in=unfinished).select_related("source"):
        process_stored_article(article)
        published += article.status == ArticleStatus.PUBLISHED
    return published


def run_once(sources: Iterable[Source] | None = None, progress: bool = False) -> list[PollReport]:
    """One pass over the given (default: all active) sources, then a retry of held articles, then
    the recent stories settled (settle.py)."""
    sources = list(sources if sources is not None else Source.objects.filter(active=True))
    policy = FetchPolicy.from_settings()
    bar = _progress_bar(progress)
    reports = []
    for source in sources:
        bar.set_description(source.name[:30])
        reports.append(poll_source(source, policy, on_entry=lambda: bar.update(1)))
    bar.close()
    resume_unfinished()
    settle.settle_recent()
    return reports


def _progress_bar(enabled: bool):
    from tqdm import tqdm

    return tqdm(unit=" entries", disable=not enabled, leave=True)


def _fetch_and_extract(entry: FeedEntry, policy: FetchPolicy, rule_override: dict | None = None,
                       prefetched: Future[FetchResult] | None = None) -> Extracted:
    try:
        page = prefetched.result() if prefetched is not None else fetch(entry.link, policy, expect="page")
        return extract_article(page.html_text, page.url, entry, rule_override=rule_override or None)
    except (FetchError, ExtractionError):
        if not entry.content_html:
            raise
        # A full-content feed still gives us the article when the page itself is unreachable.
        return extract_article(f"<html><body><article>{entry.content_html}</article></body></html>",
                               entry.link, entry)


@transaction.atomic
def _store_article(source: Source, entry: FeedEntry, extracted: Extracted, existing: Article | None) -> Article:
    article = existing or Article(source=source, guid=entry.guid)
    if existing is None:
        article._site_translation = False  # a new article has no translation yet: publishing need not look
    article.url = entry.link
    article.title = extracted.title[:1000]
    article.lead = extracted.lead
    article.body_html = extracted.body_html
    article.feed_summary = entry.summary
    article.authors = extracted.authors
    article.published_at = extracted.published or entry.published or timezone.now()
    article.updated_at = extracted.updated
    article.image_url = extracted.image
    article.read_also = extracted.read_also
    article.language = detect_language(f"{extracted.title}. {extracted.text}", source.language)
    article.content_hash = hashlib.sha256(extracted.text.encode()).hexdigest()
    article.extraction_doubt = extracted.doubt
    article.fetched_at = timezone.now()
    article.status, article.error = ArticleStatus.FETCHED, ""
    article.save()
    tagging.attach_topics(article, [*entry.tags, *extracted.keywords])
    tagging.attach_topics(article, extracted.entities, kind=TopicKind.ENTITY)
    return article


def _attach_image(article: Article, policy: FetchPolicy) -> None:
    if not article.image_url:
        return
    try:
        stored = images.store_lead_image(article.image_url, settings.MEDIA_ROOT, policy)
    except images.ImageError as error:
        log.info("image skipped for %s: %s", article.url, error)
        return
    article.image_file, article.image_width, article.image_height = stored.name, stored.width, stored.height
    article.save(update_fields=["image_file", "image_width", "image_height"])


def _store_failure(source: Source, entry: FeedEntry, existing: Article | None, message: str) -> Article | None:
    log.warning("%s: %s", source.name, message)
    article = existing or Article(source=source, guid=entry.guid, url=entry.link, title=entry.title[:1000],
                                  published_at=entry.published)
    article.status, article.error = ArticleStatus.FAILED, message
    article.fetch_attempts += 1
    article.fetched_at = timezone.now()
    try:
        article.save()
    except IntegrityError:
        return None
    return article
