"""Extraction in a pool of processes, for the embedded pipeline: both cores busy, one writer.

Decoding, extracting and detecting the language of a page are pure CPU work on the page's bytes, and
the bulk of an article's cost; storing, the search index, stories and publishing need the database
and stay in the one process that writes it. So the fetching threads (vistka/pipeline/prefetch.py)
hand each page's bytes to a process of this pool and the writer receives the page extracted. Only
bytes and results cross between processes (no database, no HTTP: politeness stays with the one
per-host limiter of the fetching process). Nothing changes for what is stored: the same functions
run on the same bytes. An article whose story is decided on its own text (nothing translates it) also
gets its story terms made here (term weights and signature, pure functions of its text), which the
writer's decision takes when the stored text is that text (stories/grouping.py, offer_text_terms);
the text itself comes with them, for the writer's kept plain texts (core/plaintext.py): the story
decision and the search index do not parse the body again. When copying the pictures changes the
text (a picture left out with its caption), the terms are made again here for the stored text.

VISTKA_EXTRACT_PROCESSES sets the size ("auto": one per CPU core, at most 4; 0: extract in the
fetching process), VISTKA_EXTRACT_NICE how far they step back for the site's web processes. The pool starts with the first feed that has EXTRACT_POOL_MIN new pages, and
lives as long as the process.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import httpx
from django.conf import settings
from django.utils.html import strip_tags

from vistka.core import plaintext
from vistka.pipeline import stagetimes
from vistka.pipeline.extract import Extracted, ExtractionError, StoredImage, extract_article, figures
from vistka.pipeline.fetch import FetchResult
from vistka.pipeline.garbage import tune_for_the_pipeline
from vistka.pipeline.language import detect_language
from vistka.pipeline.sources import FeedEntry

if TYPE_CHECKING:
    from vistka.pipeline.picturecopy import PictureCopier

log = logging.getLogger("vistka.pipeline")

EXTRACT_POOL_MIN = 4  # fewer new pages than this in a feed: not worth starting processes for
MAX_PROCESSES = 4


@dataclass
class ExtractedPage:
    """A page fetched and extracted: what the writer stores."""

    url: str
    extracted: Extracted | None
    language: str
    error: str = ""  # the ExtractionError's message, when extraction failed
    extracted_by: int = 0  # the process that extracted it
    pictures: list[str] = field(default_factory=list)  # the body's picture addresses (figures.picture_sources)
    pictures_copied: bool = False  # the body shows our copies already (picturecopy.py): the writer only records
    lead_image: StoredImage | None = None  # our copy of the lead picture, when pictures_copied
    # (title, lead, plain text, language, stories.index.text_terms): the story terms of the article as
    # extracted, made here when it will be decided untranslated (grouping.offer_text_terms).
    text_terms: tuple | None = None


def cpu_cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def process_count() -> int:
    configured = settings.EXTRACT_PROCESSES
    if configured == "auto":
        return min(MAX_PROCESSES, cpu_cores())
    return int(configured)


_LOCK = threading.Lock()
_POOL: ProcessPoolExecutor | None = None
_READY = threading.Event()  # a pool process has started (Django and the models loaded: seconds)


def pool() -> ProcessPoolExecutor | None:
    """This process's extraction pool, started on first use; None when extraction stays in-process."""
    global _POOL
    if process_count() < 1:
        return None
    with _LOCK:
        if _POOL is None:
            # spawn: a fresh interpreter per process, never a fork of one holding database connections
            # and fetching threads.
            context = multiprocessing.get_context("spawn")
            _POOL = ProcessPoolExecutor(process_count(), mp_context=context, initializer=_start_process,
                                        initargs=(os.getpid(),))
            _READY.clear()
            _POOL.submit(os.getpid).add_done_callback(lambda _: _READY.set())
            atexit.register(shutdown)
        return _POOL


def shutdown() -> None:
    global _POOL
    with _LOCK:
        if _POOL is not None:
            _POOL.shutdown(wait=True, cancel_futures=True)
            _POOL = None


def _start_process(parent: int) -> None:
    import django

    # A parent killed outright (SIGKILL, or SIGTERM without a handler) cannot stop its pool: the processes
    # notice on their own, and do not linger holding the parent's output pipes.
    threading.Thread(target=_exit_with, args=(parent,), daemon=True, name="vistka-parent-watch").start()
    django.setup()
    # Extraction and pictures are batch work: a web process on the same cores serves readers first.
    os.nice(settings.EXTRACT_NICE)
    from vistka.pipeline.language import identifier

    identifier()  # the language model, loaded once before the first page
    tune_for_the_pipeline()  # (garbage.py) all of the above lives as long as the process


def _exit_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def extract_page(page: FetchResult, entry: FeedEntry, rule_override: dict | None, declared_language: str,
                 in_pool: ProcessPoolExecutor | None, time_zone: str = "",
                 pictures: PictureCopier | None = None, translation_engine: str = "") -> ExtractedPage:
    """Decode, extract and detect the language of a fetched page, in the pool when there is one;
    then, with `pictures` (whose pool does the work), copy its pictures (picturecopy.py).
    `translation_engine`: the source's (translating.source_engine_name; else the site's)."""
    headers = {"content-type": page.headers.get("content-type", "")}
    # (Never in this thread while the pool starts: lxml's parsers, which trafilatura shares module-wide,
    # must not be used from several threads at once — that corrupted memory.)
    if in_pool is None:
        return _extract(page.url, page.content, headers, entry, rule_override, declared_language, None, time_zone)[0]
    result, seconds = in_pool.submit(_extract, page.url, page.content, headers, entry, rule_override,
                                     declared_language, stagetimes.active(), time_zone,
                                     pictures.limit if pictures else None, translation_engine).result()
    if seconds:
        stagetimes.merge(seconds)
    if result.extracted is None:
        return result
    extracted_body = result.extracted.body_html
    if pictures is not None:
        copied = pictures.copy(result.extracted, result.pictures)
        result.extracted.body_html, result.lead_image, result.pictures_copied = copied.body_html, copied.lead, True
        if copied.body_text is not None:
            plaintext.remember(copied.body_html, copied.body_text)
            _terms_of_stored_text(result, copied.body_text, in_pool)
            return result
    if result.text_terms is not None and result.extracted.body_html == extracted_body:
        plaintext.remember(extracted_body, result.text_terms[2])  # stored as extracted: its text is known
    return result


def _terms_of_stored_text(result: ExtractedPage, text: str, in_pool: ProcessPoolExecutor) -> None:
    """A picture left out with its caption (or the lead picture's caption taken out) changes the text
    the writer stores and decides: the story terms are made again, for that text, in the pool."""
    if result.text_terms is None or result.text_terms[2] == text:
        return
    title, lead, _, lang, _ = result.text_terms
    try:
        result.text_terms = title, lead, text, lang, in_pool.submit(_text_terms, title, lead, text, lang).result()
    except Exception:  # noqa: BLE001 - the writer makes them itself, as without the pool
        log.exception("story terms of %s left to the writer", result.url)
        result.text_terms = None


def _extract(url: str, content: bytes, headers: dict, entry: FeedEntry, rule_override: dict | None,
             declared_language: str, timed: bool | None, time_zone: str = "",
             picture_limit: int | None = None, translation_engine: str = "") -> tuple[ExtractedPage, dict[str, float]]:
    """In a pool process (timed: True/False, its stage times returned) or in the caller's (None);
    `time_zone`: the source's, for page dates that give none; `picture_limit`: find the addresses of
    the body's first pictures up to it, to be copied (picturecopy.py)."""
    recorder = stagetimes.Recorder() if timed else None
    page = FetchResult(url, 200, content, httpx.Headers(headers))
    with stagetimes.stage("decode", recorder):
        html = page.html_text
    try:
        with stagetimes.stage("extract", recorder):
            extracted = extract_article(html, url, entry, rule_override=rule_override or None, timezone=time_zone)
    except ExtractionError as error:
        return ExtractedPage(url, None, "", str(error), os.getpid()), recorder.times() if recorder else {}
    with stagetimes.stage("language", recorder):
        language = detect_language(f"{extracted.title}. {extracted.text}", declared_language)
    sources = figures.picture_sources(extracted.body_html, picture_limit) if picture_limit is not None else []
    page = ExtractedPage(url, extracted, language, "", os.getpid(), sources)
    if timed is not None and _decided_untranslated(language, translation_engine or settings.TRANSLATION_ENGINE):
        try:
            with stagetimes.stage("stories", recorder):
                page.text_terms = _story_terms(extracted, language or declared_language)
        except Exception:  # noqa: BLE001 - the writer makes them itself, as without this process
            log.exception("story terms of %s left to the writer", url)
    return page, recorder.times() if recorder else {}


def _decided_untranslated(language: str, translation_engine: str) -> bool:
    """Whether the article's story will be decided on its own text: it is in the site language, or
    nothing translates it (else its translation is decided, and terms made here would go unused)."""
    return not language or language == settings.SITE_LANGUAGE or translation_engine == "none"


def _story_terms(extracted: Extracted, lang: str) -> tuple:
    """The story terms of the article as extracted (run._store_article stores it so): the writer's
    decision takes them when its text is this one (a picture left out with its caption changes it:
    _terms_of_stored_text)."""
    from vistka.core.models import TITLE_MAX_LENGTH  # (only once Django is set up in this process)

    # strip_tags, as the writer's kept plain texts (core/plaintext.py) make it: each body is parsed once here.
    title, text = extracted.title[:TITLE_MAX_LENGTH], strip_tags(extracted.body_html)
    return title, extracted.lead, text, lang, _text_terms(title, extracted.lead, text, lang)


def _text_terms(title: str, lead: str, text: str, lang: str) -> tuple:
    from vistka.pipeline.stories import grouping  # (the models: only once Django is set up in this process)

    return grouping.text_terms_of(title, lead, text, lang)
