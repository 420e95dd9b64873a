"""The embedded runner: a source's poll, each new entry, each stored article, in one process (the
Celery tasks in vistka/workers enter the same three functions). Each of them walks its phase's steps
in the order processor.py lists them; the steps are the small functions below, under each phase,
that hand the work item to the stages.

A stage failure is recorded on the source (feed problems) or the article (page problems) and the
run goes on with the next entry. Sanitising happens inside extract, before anything is stored.

Fault isolation (docs/fetching.md, "Never wedged"): an unexpected exception — a bug, or input nothing foresaw — is
caught at the boundary of the item it happened in (one source's poll, one entry, one stored article),
logged with its traceback, recorded where the editor sees it (the source's last error, the article's
error) and counted; the run goes on with the next item. An article that keeps failing is retried
with backoff (schedule.retry_due) and after VISTKA_QUARANTINE_AFTER attempts set aside as
quarantined, until `vistka retry-quarantined`; so it can never be first in line forever.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing, nullcontext
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from vistka.core import events
from vistka.core.models import TITLE_MAX_LENGTH, Article, ArticleStatus, FetchLog, Source, TopicKind
from vistka.pipeline import extractpool, processor, publish, stagetimes
from vistka.pipeline.arenas import limit_malloc_arenas
from vistka.pipeline.extract import Extracted, ExtractionError, extract_article, figures, images
from vistka.pipeline.extractpool import ExtractedPage
from vistka.pipeline.fetch import FetchError, FetchPolicy, FetchResult, fetch
from vistka.pipeline.fetch.robots import check_robots
from vistka.pipeline.language import detect_language
from vistka.pipeline.picturecopy import PictureCopier
from vistka.pipeline.prefetch import PagePrefetcher, Prefetched
from vistka.pipeline.publish import tagging
from vistka.pipeline.sources import FeedEntry, FeedError, ParsedFeed, dates, health, read_feed, schedule
from vistka.pipeline.sources.pending import triage
from vistka.pipeline.stories import grouping
from vistka.pipeline.translate import translating

log = logging.getLogger("vistka.pipeline")
OUTLET_PICTURE = re.compile(r'<img[^>]*\ssrc="(?!/media/)')


@dataclass
class PollReport:
    source: str
    entries: int = 0
    new: int = 0
    failed: int = 0
    not_modified: bool = False
    error: str = ""
    articles: list[int] = field(default_factory=list)
    quarantined: int = 0  # articles set aside in this poll (kept failing)
    note: str = ""  # what changed on the source (its feed moved)


@dataclass
class SourceWork:
    """One source's poll, as its steps (processor.py, phase "source") fill it in."""
    source: Source
    policy: FetchPolicy
    report: PollReport
    on_entry: Callable[[], None] | None = None
    ingest: Callable | None = None
    response: FetchResult | None = None
    entries: list[FeedEntry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    pending: list = field(default_factory=list)
    note: str = ""
    feed: Future | None = None  # fetch_feed's answer, when it was fetched ahead (poll_sources)
    pages: Prefetched | None = None  # the new entries' pages, on their way (_start_pages)
    threads: ThreadPoolExecutor | None = None  # the fetching threads of the pass (poll_sources)
    upcoming: Callable[[], None] | None = None  # begins the next source's poll once these pages are all on their way


def poll_source(source: Source, policy: FetchPolicy | None = None, on_entry=None, ingest=None) -> PollReport:
    """Poll one source's feed and ingest every entry not stored yet; never raises (fault isolation).

    `ingest(source, entry, policy)` defaults to ingesting in this process; the Celery workers pass
    a function that enqueues the entry instead (vistka/workers/tasks.py). Entries already stored and
    done are skipped after one look-up for the whole feed (vistka/pipeline/sources/pending.py).
    """
    return _end_poll(_begin_poll(source, policy or FetchPolicy.from_settings(), on_entry, ingest))


def poll_sources(sources: Iterable[Source], policy: FetchPolicy | None = None, on_entry=None,
                 on_source: Callable[[Source], None] | None = None) -> list[PollReport]:
    """poll_source for each source in turn, in this process. The next source's feed is fetched in a
    thread while a source's entries are written; once their pages are all on their way, the next
    source is triaged and its first pages are fetched and extracted while the last entries of the one
    before are written: the fetching threads and the extraction processes do not wait, at every
    source, for the writer to finish the one before."""
    policy = policy or FetchPolicy.from_settings()
    limit_malloc_arenas()
    sources = list(sources)
    reports: list[PollReport] = []
    begun: _Poll | None = None
    feed: Future | None = None
    # The pages of all the sources are fetched by the same threads: a thread keeps its client, and its
    # connections, from one source to the next (fetch/client.py).
    with (ThreadPoolExecutor(1, thread_name_prefix="vistka-feed") as feeds,
          ThreadPoolExecutor(max(1, settings.FETCH_AHEAD), thread_name_prefix="vistka-prefetch") as threads):
        for number, source in enumerate(sources):
            poll = begun or _begin_poll(source, policy, on_entry, None, feed, threads)
            begun = feed = None
            if number + 1 < len(sources):
                following = sources[number + 1]
                feed = feeds.submit(fetch_feed, following, policy)  # its request waits for nothing of this poll

                def begin_next(following: Source = following, feed: Future = feed) -> None:
                    nonlocal begun
                    begun = _begin_poll(following, policy, on_entry, None, feed, threads)
                poll.work.upcoming = begin_next
            if on_source:
                on_source(source)
            reports.append(_end_poll(poll))
    return reports


@dataclass
class _Poll:
    work: SourceWork
    went_on: bool = False  # its steps before the entries went on (its feed read and triaged)


def _begin_poll(source: Source, policy: FetchPolicy, on_entry, ingest, feed: Future | None = None,
                threads: ThreadPoolExecutor | None = None) -> _Poll:
    """A poll's steps up to its entries (`feed`: its feed, being fetched already), and its first pages
    on their way (`threads`: the fetching threads shared by the sources of a pass); never raises."""
    source.last_polled_at = timezone.now()
    poll = _Poll(SourceWork(source, policy, PollReport(source.name), on_entry, ingest, feed=feed, threads=threads))
    try:
        poll.went_on = processor.walk("source", poll.work, until="entries")
        if poll.went_on:
            _start_pages(poll.work)
    except Exception as error:  # noqa: BLE001 - the boundary of one source: the run goes on
        _source_failed(poll.work, error)
        poll.went_on = False
    return poll


def _end_poll(poll: _Poll) -> PollReport:
    """The rest of a begun poll: its entries, its health; never raises."""
    work = poll.work
    if poll.went_on:
        try:
            processor.walk("source", work, start="entries")
        except Exception as error:  # noqa: BLE001 - the boundary of one source: the run goes on
            _source_failed(work, error)
    _log_poll(work.source, work.report)
    return work.report


def _source_failed(work: SourceWork, error: Exception) -> None:
    log.exception("%s: the poll failed unexpectedly", work.source.name)
    work.report.error = f"internal error while polling: {type(error).__name__}: {error}"[:2000]
    _record_source_failure(work.source, work.report.error)


# -- the source's steps (processor.py, phase "source") ----------------------------------------------

def read_source_feed(work: SourceWork) -> bool:
    """The feed by conditional GET and its entries; a feed that cannot be had is recorded on the source."""
    source = work.source
    try:
        work.response, parsed = work.feed.result() if work.feed else fetch_feed(source, work.policy)
    except (FetchError, FeedError) as error:
        health.record_failure(source, str(error), getattr(error, "retry_after", None))
        work.report.error = str(error)
        return False
    if parsed is not None:
        work.entries, work.warnings = parsed.entries, list(parsed.warnings)
    work.report.not_modified = work.response.not_modified
    work.report.entries = len(work.entries)
    return True


def fetch_feed(source: Source, policy: FetchPolicy) -> tuple[FetchResult, ParsedFeed | None]:
    """The source's feed by conditional GET, and its entries (None: not modified). HTTP and parsing
    only, no database: poll_sources has it fetched in a thread while the source before is written."""
    with stagetimes.stage("fetch"):
        response = fetch(source.feed_url, policy, etag=source.etag, last_modified=source.last_modified, expect="feed")
        parsed = None if response.not_modified else read_feed(
            response.utf8_content, response.url, response.headers.get("content-type", ""), source.time_zone)
    return response, parsed


def note_feed_move(work: SourceWork) -> None:
    work.note = health.note_redirect(work.source, work.response.moved_to)


def triage_entries(work: SourceWork) -> None:
    work.pending = triage(work.source, work.entries)
    for _skipped in range(len(work.entries) - len(work.pending) if work.on_entry else 0):
        work.on_entry()


def hand_on_entries(work: SourceWork) -> None:
    """Each entry through the entry phase (here, or enqueued by `ingest`), its failure caught there."""
    source, report, pending = work.source, work.report, work.pending
    pages = work.pages or _start_pages(work)
    with closing(pages):
        for number, (item, page) in enumerate(zip(pending, pages, strict=True)):
            if work.upcoming and len(pending) - number <= pages.prefetcher.ahead:  # every page is on its way
                upcoming, work.upcoming = work.upcoming, None
                upcoming()
            outcome = _ingest_isolated(source, item.entry, work.policy, item.new, page, work.ingest)
            if outcome is not None:
                report.new += 1
                report.failed += outcome.status in (ArticleStatus.FAILED, ArticleStatus.QUARANTINED)
                report.quarantined += outcome.status == ArticleStatus.QUARANTINED
                report.articles.append(outcome.pk)
            if work.on_entry:
                work.on_entry()


def _start_pages(work: SourceWork) -> Prefetched:
    """The new entries' pages, the first of them on their way: fetched ahead in this process
    (vistka/pipeline/prefetch.py), and extracted in the pool when there are enough of them."""
    ahead = settings.FETCH_AHEAD if work.ingest is None else 0
    links = [item.entry.link if item.new else None for item in work.pending]
    extraction = _extraction_in_pool(work.source, work.policy, work.pending, links) if ahead else None
    work.pages = PagePrefetcher(work.policy, ahead, extraction, work.threads).pages(links)
    return work.pages


def record_poll_success(work: SourceWork) -> None:
    warnings = [*work.warnings, *([work.note] if work.note else [])]
    if work.report.quarantined:
        warnings.append(f"{work.report.quarantined} article(s) quarantined after repeated failures "
                        f"(`vistka retry-quarantined`)")
    health.record_success(work.source, work.response.etag, work.response.last_modified, warnings)
    work.report.note = work.note


def _ingest_isolated(source: Source, entry: FeedEntry, policy: FetchPolicy, new: bool,
                     page: Future[FetchResult] | None, ingest) -> Article | None:
    """One entry, its failures caught here: recorded on its article, and the feed goes on."""
    try:
        if ingest is None:
            return ingest_entry(source, entry, policy, new=new, page=page)
        return ingest(source, entry, policy)
    except Exception as error:  # noqa: BLE001 - the boundary of one entry
        log.exception("%s: entry %s failed unexpectedly", source.name, entry.link)
        existing = Article.objects.filter(source=source, guid=entry.guid).first()
        return store_failure(source, entry, existing, f"internal error: {type(error).__name__}: {error}")


def _record_source_failure(source: Source, message: str) -> None:
    """record_failure for an unexpected error, itself guarded: the source's row may be what is broken."""
    try:
        health.record_failure(source, message)
    except Exception:  # noqa: BLE001
        log.exception("%s: could not record the failure", source.name)


def _extraction_in_pool(source: Source, policy: FetchPolicy, pending: list, links: list[str | None]):
    """What the fetching threads do with each page: hand it to the extraction processes (when there
    are enough new pages to keep them busy), so the writer gets it extracted."""
    if sum(link is not None for link in links) < extractpool.EXTRACT_POOL_MIN:
        return None
    pool = extractpool.pool()
    if pool is None:
        return None
    rules = source.extraction_rules
    # The pictures are copied there too (picturecopy.py): the writer only records them.
    pictures = PictureCopier(policy, pool, settings.MEDIA_ROOT, settings.BODY_IMAGES_MAX)
    engine = translating.source_engine_name(source)
    return lambda index, page: extractpool.extract_page(page, pending[index].entry, rules, source.language, pool,
                                                              source.time_zone, pictures, engine)


def _log_poll(source: Source, report: PollReport) -> None:
    """Kept for the dashboard's success rates and throughput (see vistka/core/dashboard.py) and as the
    source's health history."""
    try:
        FetchLog.objects.create(source=source, at=source.last_polled_at, ok=not report.error, error=report.error,
                                entries=report.entries, new=report.new, failed=report.failed, note=report.note)
    except Exception:  # noqa: BLE001 - the log is a record of the poll, never a reason for it to fail
        log.exception("%s: could not log the poll", source.name)


@dataclass
class EntryWork:
    """One feed entry on its way to a stored article, as its steps (phase "entry") fill it in."""
    source: Source
    entry: FeedEntry
    policy: FetchPolicy
    then: Callable[[Article], None]
    new: bool = False
    page: Future | None = None
    existing: Article | None = None
    extracted: Extracted | None = None
    language: str = ""
    copied: ExtractedPage | None = None
    lead_image: images.StoredImage | None = None
    article: Article | None = None  # what was stored (the article, or the record of its failure)


def ingest_entry(source: Source, entry: FeedEntry, policy: FetchPolicy, then=None, *, new: bool = False,
                 page: Future[FetchResult] | None = None) -> Article | None:
    """Run the article stages for one entry; None when it is already stored (re-polls add nothing).

    `then(article)` runs the stages after storing (default: in this process); workers enqueue them.
    Safe to repeat: an entry stored but not processed (a worker died in between) is processed again.
    `new`: the caller has just found nothing stored under the entry's guid or link (a race with another
    process then ends in the unique constraints, as without it); `page`: its page, being fetched ahead.
    """
    work = EntryWork(source, entry, policy, then or process_stored_article, new, page)
    processor.walk("entry", work)
    return work.article


# -- the entry's steps (processor.py, phase "entry") ------------------------------------------------

def skip_stored_entry(work: EntryWork) -> bool:
    """Go on only with an entry not stored yet, or stored as failed and due for another try."""
    source, entry = work.source, work.entry
    existing = None if work.new else Article.objects.filter(source=source, guid=entry.guid).first()
    if existing is not None and existing.status == ArticleStatus.FETCHED:
        process_isolated(existing, work.then)  # stored, then interrupted: on with the article's steps
        return False
    if existing is not None and (existing.status != ArticleStatus.FAILED or not schedule.retry_due(existing)):
        return False
    if not work.new and Article.objects.filter(url=entry.link).exclude(source=source, guid=entry.guid).exists():
        return False  # the same article under another entry (or outlet): stored once
    work.existing = existing
    return True


def check_page_allowed(work: EntryWork) -> bool:
    try:
        check_robots(work.entry.link, work.policy)
    except (FetchError, ExtractionError) as error:
        work.article = store_failure(work.source, work.entry, work.existing, str(error))
        return False
    return True


def extract_page(work: EntryWork) -> bool:
    source = work.source
    try:
        work.extracted, work.language, work.copied = _fetch_and_extract(
            work.entry, work.policy, source.extraction_rules, work.page, source.time_zone)
    except (FetchError, ExtractionError) as error:
        work.article = store_failure(source, work.entry, work.existing, str(error))
        return False
    return True


def copy_pictures(work: EntryWork) -> None:
    if work.copied is not None:  # copied beside extraction (picturecopy.py): the body shows them already
        work.lead_image = work.copied.lead_image
        return
    with stagetimes.stage("pictures"):
        work.lead_image = _store_images(work.extracted, work.policy)


def detect_page_language(work: EntryWork) -> None:
    if not work.language:  # else detected already, by the extraction process
        with stagetimes.stage("language"):
            work.language = detect_language(f"{work.extracted.title}. {work.extracted.text}", work.source.language)


def store_entry_article(work: EntryWork) -> bool:
    try:
        work.article = _store_article(work.source, work.entry, work.extracted, work.existing, work.lead_image,
                                      work.language)
    except IntegrityError:
        log.info("%s: %s is already stored under another entry", work.source.name, work.entry.link)
        return False
    return True


def hand_on_article(work: EntryWork) -> None:
    process_isolated(work.article, work.then)


def process_isolated(article: Article, then=None) -> bool:
    """`then(article)` (the stages after storing) with its failure caught and recorded on the article:
    it is retried with backoff on later polls, then quarantined. True when it went through."""
    try:
        (then or process_stored_article)(article)
    except Exception as error:  # noqa: BLE001 - the boundary of one article
        log.exception("article %s (%s) failed while processing", article.pk, article.url)
        record_article_failure(article, f"internal error while processing: {type(error).__name__}: {error}")
        return False
    return True


def record_article_failure(article: Article, message: str) -> Article:
    """One more failed attempt: the reason where the editor sees it, quarantined after too many."""
    from django.db import connection

    if connection.in_atomic_block and connection.needs_rollback:
        return article  # inside a broken transaction: the caller's boundary records it
    article.fetch_attempts += 1
    article.fetched_at = timezone.now()
    quarantine = article.fetch_attempts >= settings.QUARANTINE_AFTER
    article.status = ArticleStatus.QUARANTINED if quarantine else ArticleStatus.FAILED
    article.error = (f"quarantined after {article.fetch_attempts} attempts: {message}" if quarantine else message)[:5000]
    if quarantine:
        log.warning("article %s quarantined: %s", article.url, message)
    if article.pk is None:
        article.save()
        return article
    shown = Article.objects.filter(pk=article.pk, status=ArticleStatus.PUBLISHED).exists()
    Article.objects.filter(pk=article.pk).update(status=article.status, error=article.error,
                                                 fetch_attempts=article.fetch_attempts, fetched_at=article.fetched_at)
    events.content_changed([article.pk], everywhere=shown)
    return article


@dataclass
class ArticleWork:
    """A stored article on its way to publication (phase "article")."""
    article: Article
    translated: bool = False
    reason: str = ""  # why it is not translated
    was_shown: bool = False  # published before this pass (an editor's retranslation, a retry)


def process_stored_article(article: Article) -> None:
    """Translate (when needed), publish and join a story, relate — also used to retry held articles."""
    processor.walk("article", ArticleWork(article, was_shown=article.status == ArticleStatus.PUBLISHED))


# -- the article's steps (processor.py, phase "article") --------------------------------------------

def translate_article(work: ArticleWork) -> None:
    if publish.needs_translation(work.article):
        work.translated, work.reason = translating.translate_into_site_language(work.article)


def publish_article(work: ArticleWork) -> None:
    # In one transaction with joining a story (processor.py: atomic), so an interrupted worker never
    # leaves a published article outside any story.
    with stagetimes.stage("publish"):
        publish.publish(work.article, translated=work.translated, reason=work.reason)


def join_story(work: ArticleWork) -> None:
    if work.article.status == ArticleStatus.PUBLISHED and work.article.story_id is None:
        with stagetimes.stage("stories"):
            grouping.assign_story(work.article)


def relate_article(work: ArticleWork) -> None:
    if work.article.status == ArticleStatus.PUBLISHED:
        stagetimes.published(work.article.url)
        with stagetimes.stage("related"):
            grouping.update_related(work.article)


def announce_article(work: ArticleWork) -> None:
    """Once, for all the article's saves above: its page, the lists and the search follow. An article
    no page has shown (held for review or translation) needs no announcement; one that was shown and
    is held back now leaves every page."""
    shown = work.article.status == ArticleStatus.PUBLISHED
    if shown or work.was_shown:
        events.content_changed([work.article.pk], everywhere=not shown)


def resume_unfinished() -> int:
    """Carry on with articles held for translation (e.g. a package was installed since) or interrupted
    between storing and publishing; returns how many got published."""
    published = 0
    unfinished = [ArticleStatus.AWAITING_TRANSLATION, ArticleStatus.FETCHED]
    # Fewest failed attempts first: an article that keeps failing waits behind the others.
    held = Article.objects.filter(status__in=unfinished).select_related("source").order_by("fetch_attempts", "pk")
    for article in held:
        if process_isolated(article):
            published += article.status == ArticleStatus.PUBLISHED
    return published


def run_once(sources: Iterable[Source] | None = None, progress: bool = False) -> list[PollReport]:
    """One pass over the given (default: all active) sources, then a retry of held articles, then
    the recent stories settled (settle.py)."""
    sources = list(sources if sources is not None else Source.objects.filter(active=True))
    step_back_for_readers()
    policy = FetchPolicy.from_settings()
    bar = _progress_bar(progress)
    reports = poll_sources(sources, policy, on_entry=lambda: bar.update(1),
                           on_source=lambda source: bar.set_description(source.name[:30]))
    bar.close()
    after_pass()
    return reports


def step_back_for_readers(session: bool = True) -> None:
    """Run this thread (and the fetching threads and extraction processes it starts, which inherit it)
    at VISTKA_PIPELINE_NICE: a pass is batch work, and the site's web processes on the same cores
    should serve readers first. Linux sets niceness per thread; it is only ever raised here, never
    lowered (an unprivileged process cannot), so a thread already nicer keeps its own. `session`:
    also the session this process leads, if any (see _step_back_session)."""
    try:
        current = os.getpriority(os.PRIO_PROCESS, 0)
        if current < settings.PIPELINE_NICE:
            os.setpriority(os.PRIO_PROCESS, 0, settings.PIPELINE_NICE)
    except (AttributeError, OSError) as error:  # no getpriority (Windows), or refused: passes run as they are
        log.debug("pipeline niceness left as it is: %s", error)
    if session:
        _step_back_session()


def _step_back_session(autogroup: Path = Path("/proc/self/autogroup")) -> None:
    """Linux's autogroup scheduling weighs sessions against each other before niceness counts: a
    pipeline process in a session of its own (a detached run, `setsid vistka fetch`) would get a
    whole session's share beside the web server whatever its niceness. Such a process gives its
    session (itself and what it started) the same niceness; one that shares a terminal's session
    leaves the session alone. (Under systemd, services are cgroups and `CPUWeight=` is the knob:
    docs/deployment.md.)"""
    try:
        if os.getsid(0) != os.getpid() or not autogroup.exists():
            return
        found = re.search(r"nice (-?\d+)", autogroup.read_text())
        if found and int(found.group(1)) < settings.PIPELINE_NICE:
            autogroup.write_text(str(settings.PIPELINE_NICE))
    except (AttributeError, OSError) as error:
        log.debug("session niceness left as it is: %s", error)


def after_pass() -> None:
    """Held articles retried, recent stories settled; a failure here is logged and the pass still ends."""
    for step in processor.steps("pass"):
        try:
            with stagetimes.stage(step.times[0]) if step.times else nullcontext():  # settling: stories
                processor.function(step)()
        except Exception:  # noqa: BLE001 - the polls are done and recorded; this must not undo the pass
            log.exception("%s failed; it runs again after the next pass", step.does)


def retry_quarantined(sources: Iterable[Source] | None = None, articles=None) -> list[Article]:
    """Give every quarantined article (of the given sources) one fresh try now, its attempts counted
    from zero again: a stored one is processed again, one never stored is fetched again. Each is
    isolated as in a poll; returns the articles with their new status."""
    policy = FetchPolicy.from_settings()
    held = (articles if articles is not None else Article.objects.all()).filter(status=ArticleStatus.QUARANTINED)
    held = held.select_related("source").order_by("pk")
    if sources is not None:
        held = held.filter(source__in=list(sources))
    retried = []
    for article in held:
        article.fetch_attempts = 0
        if article.body_html:
            article.status, article.error = ArticleStatus.FETCHED, ""
            article.save(update_fields=["status", "error", "fetch_attempts"])
            process_isolated(article)
        else:
            # Due at once: the backoff (schedule.retry_due) counts from a fetch long enough ago.
            article.status = ArticleStatus.FAILED
            article.fetched_at = timezone.now() - timedelta(seconds=settings.POLL_MAX_INTERVAL)
            article.save(update_fields=["status", "fetch_attempts", "fetched_at"])
            entry = FeedEntry(guid=article.guid, link=article.url, title=article.title, published=article.published_at)
            _ingest_isolated(article.source, entry, policy, False, None, None)
        article.refresh_from_db()
        retried.append(article)
    return retried


def _progress_bar(enabled: bool):
    from tqdm import tqdm

    return tqdm(unit=" entries", disable=not enabled, leave=True)


def _fetch_and_extract(entry: FeedEntry, policy: FetchPolicy, rule_override: dict | None = None,
                       prefetched: Future[FetchResult | ExtractedPage] | None = None,
                       time_zone: str = "") -> tuple[Extracted, str, ExtractedPage | None]:
    """The extracted page, its language when already detected (by an extraction process; else ""), and
    the page as the extraction process left it when its pictures were copied there (else None)."""
    try:
        if prefetched is not None:
            page = prefetched.result()
        else:
            with stagetimes.stage("fetch"):
                page = fetch(entry.link, policy, expect="page")
        if isinstance(page, ExtractedPage):
            if page.extracted is None:
                raise ExtractionError(page.error)
            if page.text_terms is not None:
                grouping.offer_text_terms(*page.text_terms)
            return page.extracted, page.language, page if page.pictures_copied else None
        with stagetimes.stage("decode"):
            html = page.html_text
        with stagetimes.stage("extract"):
            return extract_article(html, page.url, entry, rule_override=rule_override or None,
                                   timezone=time_zone), "", None
    except (FetchError, ExtractionError):
        if not entry.content_html:
            raise
        # A full-content feed still gives us the article when the page itself is unreachable.
        with stagetimes.stage("extract"):
            return extract_article(f"<html><body><article>{entry.content_html}</article></body></html>",
                                   entry.link, entry, timezone=time_zone), "", None


@stagetimes.stage("store")
@transaction.atomic
def _store_article(source: Source, entry: FeedEntry, extracted: Extracted, existing: Article | None,
                   lead_image: images.StoredImage | None = None, language: str = "") -> Article:
    article = existing or Article(source=source, guid=entry.guid)
    if existing is None:
        article._site_translation = False  # a new article has no translation yet: publishing need not look
    article.url = entry.link
    article.title = extracted.title[:TITLE_MAX_LENGTH]
    article.lead = extracted.lead
    article.body_html = extracted.body_html
    article.feed_summary = entry.summary
    article.authors = extracted.authors
    # dates.py checked them already; the clamp keeps a naive or odd value from any other path safe too.
    article.published_at = dates.clamp_to_plausible(extracted.published or entry.published) or timezone.now()
    article.updated_at = dates.clamp_to_plausible(extracted.updated)
    article.image_url = extracted.image
    if lead_image is not None:
        article.image_file, article.image_width, article.image_height = lead_image.name, lead_image.width, lead_image.height
    article.read_also = extracted.read_also
    article.language = language
    article.content_hash = hashlib.sha256(extracted.text.encode()).hexdigest()
    article.extraction_doubt = extracted.doubt
    article.fetched_at = timezone.now()
    article.status, article.error = ArticleStatus.FETCHED, ""
    article.save()
    tagging.attach_topics(article, [*entry.tags, *extracted.keywords])
    tagging.attach_topics(article, extracted.entities, kind=TopicKind.ENTITY)
    return article


def _store_images(extracted: Extracted, policy: FetchPolicy) -> images.StoredImage | None:
    """Our own copies of the lead picture and of every picture in the body, before anything is stored:
    readers never load an image from the outlet. A picture that cannot be had leaves the body with its
    caption and credit; no image failure fails the article."""
    store = _picture_store(policy)
    lead = store(extracted.image) if extracted.image else None
    extracted.body_html = figures.localise_images(extracted.body_html, store, skip={lead.name} if lead else set(),
                                                  limit=settings.BODY_IMAGES_MAX)
    return lead


def localise_stored_images(articles: Iterable[Article], policy: FetchPolicy | None = None) -> int:
    """Give articles stored before pictures were copied (or whose copies failed) our own pictures:
    the lead picture and those of the body and of its translations; returns how many changed."""
    store = _picture_store(policy or FetchPolicy.from_settings())
    changed = 0
    for article in articles:
        lead = store(article.image_url) if article.image_url and not article.image_file else None
        keep = {article.image_file} if article.image_file else {lead.name} if lead else set()

        def localise(html: str, keep=keep) -> str:
            if not OUTLET_PICTURE.search(html):
                return html
            return figures.localise_images(html, store, skip=keep, limit=settings.BODY_IMAGES_MAX)

        fields = {"body_html": localise(article.body_html)}
        if lead is not None:
            fields.update(image_file=lead.name, image_width=lead.width, image_height=lead.height)
        fields = {name: value for name, value in fields.items() if getattr(article, name) != value}
        touched = bool(fields)
        for translation in article.translations.all():
            body = localise(translation.body_html)
            if body != translation.body_html:
                translation.body_html = body
                translation.save(update_fields=["body_html"])
                touched = True
        if fields:
            for name, value in fields.items():
                setattr(article, name, value)
            article.save(update_fields=list(fields))
        if touched:
            changed += 1
            events.content_changed([article.pk])
    return changed


def _picture_store(policy: FetchPolicy) -> Callable[[str], images.StoredImage | None]:
    """Store pictures by address, each address tried once per call site (a failure is not retried
    for the same picture in a translation or later in the body)."""
    tried: dict[str, images.StoredImage | None] = {}

    def store(url: str) -> images.StoredImage | None:
        if url not in tried:
            tried[url] = _stored_or_none(url, policy)
        return tried[url]

    return store


def _stored_or_none(url: str, policy: FetchPolicy) -> images.StoredImage | None:
    try:
        return images.store_image(url, settings.MEDIA_ROOT, policy)
    except images.ImageError as error:
        log.info("image left out: %s", error)
    except Exception:  # an image is never worth an article: anything unexpected is logged and skipped
        log.exception("image left out: %s could not be stored", url)
    return None


def store_failure(source: Source, entry: FeedEntry, existing: Article | None, message: str) -> Article | None:
    log.warning("%s: %s", source.name, message)
    article = existing or Article(source=source, guid=entry.guid, url=entry.link, title=entry.title[:TITLE_MAX_LENGTH],
                                  published_at=dates.clamp_to_plausible(entry.published))
    try:
        with transaction.atomic():
            return record_article_failure(article, message)
    except IntegrityError:
        return None
