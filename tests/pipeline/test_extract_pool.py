"""The embedded pipeline's extraction processes store what extraction in the fetching process would."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from vistka.cli.demo import configure_sample_sources
from vistka.core.models import Article, ArticleStatus
from vistka.pipeline import extractpool, run
from vistka.pipeline.fetch import FetchPolicy, fetch
from vistka.pipeline.language import detect_language
from vistka.pipeline.sources import FeedEntry
from vistka.pipeline.sources.feedreader import read_feed


@pytest.mark.django_db(transaction=True)
def test_pages_extracted_in_the_pool_are_stored_as_in_process(sample_server, pool, monkeypatch):
    seen = []
    original = run._fetch_and_extract

    def spy(entry, policy, rules=None, prefetched=None, time_zone=""):
        result = prefetched.result() if prefetched is not None else None
        if isinstance(result, extractpool.ExtractedPage):
            seen.append(result.extracted_by)
        return original(entry, policy, rules, prefetched, time_zone)

    monkeypatch.setattr(run, "_fetch_and_extract", spy)
    sources = configure_sample_sources(sample_server.base_url)
    busiest = max(sources, key=lambda source: len(fetch(source.feed_url, FetchPolicy.from_settings()).content))
    report = run.poll_source(busiest)
    assert not report.error and report.new >= extractpool.EXTRACT_POOL_MIN
    assert seen and any(pid != os.getpid() for pid in seen)  # another process extracted them
    policy = FetchPolicy.from_settings()
    entries = read_feed(fetch(busiest.feed_url, policy, expect="feed").utf8_content, busiest.feed_url).entries
    checked = 0
    for entry in entries:  # the same stages in this process, on the same pages
        article = Article.objects.filter(source=busiest, guid=entry.guid).exclude(status=ArticleStatus.FAILED).first()
        if article is None:
            continue
        here, _, _ = original(entry, policy, busiest.extraction_rules, None)
        assert (article.title, article.lead, article.body_html) == (here.title[:1000], here.lead, here.body_html)
        assert article.language == detect_language(f"{here.title}. {here.text}", busiest.language)
        checked += 1
    assert checked >= extractpool.EXTRACT_POOL_MIN


def test_extraction_processes_step_back_for_the_site(pool):
    """They run at VISTKA_EXTRACT_NICE above this process's niceness: readers' requests get the CPU first."""
    from django.conf import settings

    assert settings.EXTRACT_NICE > 0  # the default
    assert pool.submit(os.nice, 0).result() == min(19, os.nice(0) + settings.EXTRACT_NICE)


def test_a_pass_steps_back_for_readers_in_its_own_thread_only(settings, monkeypatch):
    """run_once runs its thread at VISTKA_PIPELINE_NICE (Linux: per thread); the thread that serves the
    demo's site afterwards keeps its priority."""
    from concurrent.futures import ThreadPoolExecutor

    from vistka.pipeline import run

    settings.PIPELINE_NICE = min(19, os.getpriority(os.PRIO_PROCESS, 0) + 3)

    def pass_then_priority() -> tuple[int, int]:
        before = os.getpriority(os.PRIO_PROCESS, 0)
        run.step_back_for_readers()
        run.step_back_for_readers()  # a second pass does not step back further
        return before, os.getpriority(os.PRIO_PROCESS, 0)

    mine = os.getpriority(os.PRIO_PROCESS, 0)
    with ThreadPoolExecutor(1) as thread:
        before, after = thread.submit(pass_then_priority).result()
    assert (before, after) == (mine, settings.PIPELINE_NICE)
    assert os.getpriority(os.PRIO_PROCESS, 0) == mine  # this thread (the demo's web server's parent) unchanged


@pytest.mark.skipif(not Path("/proc/self/autogroup").exists(), reason="no Linux autogroup scheduling here")
def test_a_pass_in_a_session_of_its_own_steps_its_session_back_too():
    """With autogroup scheduling, sessions share the CPU before niceness counts: a pipeline process that
    leads its own session gives the session its niceness; one in a terminal's session leaves it alone."""
    script = ("import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'vistka.config.settings'; django.setup(); "
              "from vistka.pipeline import run; run.step_back_for_readers(); "
              "print(open('/proc/self/autogroup').read().split()[-1], os.getpriority(os.PRIO_PROCESS, 0))")
    env = {**os.environ, "VISTKA_PIPELINE_NICE": "19", "VISTKA_DATA_DIR": tempfile.mkdtemp()}

    def niceness_of_session_and_process(command: list[str]) -> list[str]:
        # Each in a fresh session of its own making (its autogroup starts at nice 0), so the answer does
        # not depend on the session the suite runs in (a terminal's, a CI runner's).
        done = subprocess.run(command, env=env, capture_output=True, text=True, start_new_session=True)
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    alone = niceness_of_session_and_process([sys.executable, "-c", script])
    # sh leads the session; the command after python keeps sh from handing its place over by exec
    shared = niceness_of_session_and_process(["sh", "-c", '"$1" -c "$0"; exit $?', script, sys.executable])
    assert alone == ["19", "19"]
    assert shared == ["0", "19"]  # the session left as it was, the process stepped back


def test_vistka_runs_scheduler_thread_steps_back_and_leaves_the_web_servers_thread(settings):
    import threading

    from vistka.pipeline.loop import run_scheduler

    settings.PIPELINE_NICE = 19
    stop, seen = threading.Event(), []
    stop.set()  # no pass: only what the thread does before its first one
    thread = threading.Thread(target=lambda: (run_scheduler(stop), seen.append(os.getpriority(os.PRIO_PROCESS, 0))))
    mine = os.getpriority(os.PRIO_PROCESS, 0)
    thread.start()
    thread.join(30)
    assert seen == [19] and os.getpriority(os.PRIO_PROCESS, 0) == mine


@pytest.fixture
def untranslating_pool(settings, monkeypatch):
    """One extraction process in a deployment that translates nothing (its settings are read at its start)."""
    monkeypatch.setenv("VISTKA_TRANSLATION_ENGINE", "none")
    settings.TRANSLATION_ENGINE, settings.PUBLISH_UNTRANSLATED, settings.EXTRACT_PROCESSES = "none", True, 1
    started = extractpool.pool()
    assert extractpool._READY.wait(120), "the extraction process did not start"
    yield started
    extractpool.shutdown()


@pytest.mark.django_db(transaction=True)
def test_the_story_terms_of_a_page_are_made_by_its_extraction_process(sample_server, untranslating_pool, monkeypatch):
    """An article decided on its own text takes the term weights and signature its extraction process
    made: the writer does not make them again, and they are those it would have made."""
    from vistka.pipeline.stories import grouping, index

    made_here = []
    features_of = index.features_of
    monkeypatch.setattr(index, "features_of", lambda doc: made_here.append(doc.id) or features_of(doc))
    monkeypatch.setattr(grouping, "_PREPARED", type(grouping._PREPARED)())
    sources = configure_sample_sources(sample_server.base_url)
    busiest = max(sources, key=lambda source: len(fetch(source.feed_url, FetchPolicy.from_settings()).content))
    report = run.poll_source(busiest)
    assert not report.error and report.new >= extractpool.EXTRACT_POOL_MIN
    decided = Article.objects.filter(source=busiest, story__isnull=False)
    assert decided.count() >= extractpool.EXTRACT_POOL_MIN
    taken = [article for article in decided if str(article.pk) not in made_here]
    assert len(taken) >= extractpool.EXTRACT_POOL_MIN  # decided on terms made in the other process
    for article in taken:
        doc = grouping.article_doc(article)
        remembered = next(value for (pk, _), value in grouping._PREPARED.items() if pk == str(article.pk))
        fresh = index.StoryIndex().prepare(doc)
        assert remembered[0] == fresh.weights and remembered[1] == fresh.signature
        assert remembered[2] == fresh.evidence


@pytest.mark.parametrize(("site_engine", "source_engine", "made"), [
    ("ctranslate2", "none", True),  # the source is never translated: decided on its own text
    ("none", "ctranslate2", False),  # its translation is decided: terms made here would go unused
    ("ctranslate2", "", False),  # the site's engine, when the source names none
    ("none", "", True),
])
def test_story_terms_are_made_in_the_pool_by_the_sources_own_translation_engine(settings, site_engine, source_engine,
                                                                                made):
    settings.SITE_LANGUAGE, settings.TRANSLATION_ENGINE = "en", site_engine
    paragraph = ("Уряд України ухвалив нове рішення щодо відновлення енергетичної інфраструктури після "
                 "нічних атак, повідомили у міністерстві. ")
    page = (f"<html><head><title>Відновлення енергетики</title></head><body><article><h1>Відновлення енергетики</h1>"
            f"{''.join(f'<p>{paragraph * 3}</p>' for _ in range(4))}</article></body></html>").encode()
    url = "http://outlet.example/news/1"
    result, _ = extractpool._extract(url, page, {"content-type": "text/html; charset=utf-8"},
                                     FeedEntry(guid=url, link=url), None, "uk", False, translation_engine=source_engine)
    assert result.language == "uk"
    assert (result.text_terms is not None) is made


def test_a_page_without_pictures_brings_the_writer_its_text(pool, monkeypatch):
    """Its body is stored as extracted: the text its story terms were made of is the stored body's,
    and the writer's kept texts hold it (the story decision and the search index parse nothing)."""
    import httpx

    from vistka.core import plaintext
    from vistka.pipeline.fetch import FetchResult

    url = "http://outlet.example/news/2"
    paragraph = "The regional council approved the new bridge over the river after a long debate. "
    content = (f"<html><head><title>Bridge approved</title></head><body><article><h1>Bridge approved</h1>"
               f"{''.join(f'<p>{paragraph * 3}</p>' for _ in range(4))}</article></body></html>").encode()
    page = FetchResult(url, 200, content, httpx.Headers({"content-type": "text/html; charset=utf-8"}))
    result = extractpool.extract_page(page, FeedEntry(guid=url, link=url), None, "en", pool)
    assert result.extracted_by != os.getpid() and result.text_terms is not None
    monkeypatch.setattr(plaintext, "strip_tags", lambda html: pytest.fail("the writer parsed the body again"))
    assert plaintext.tags_stripped(result.extracted.body_html) == result.text_terms[2]
    assert "regional council approved" in result.text_terms[2]
