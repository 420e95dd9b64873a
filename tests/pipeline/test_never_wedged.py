"""Never wedged (issue 14): one bad feed, page, date or number can never stop polling.

The hostile web (tests/hostile_web.py) serves a feed for each fault; one `vistka fetch` pass and one
scheduler pass poll every source, record each failure where the editor sees it and count it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tests.hostile_web import FAULT_FEEDS, PAGE_DATES, HostileWeb
from vistka.core.models import Article, ArticleStatus, FetchLog, Source
from vistka.pipeline import loop
from vistka.pipeline.fetch import FetchPolicy
from vistka.pipeline.run import poll_source, retry_quarantined, run_once
from vistka.pipeline.sources import schedule

POLICY = FetchPolicy(timeout=1.5, connect_timeout=1, read_timeout=1, allow_hosts=["127.0.0.1"])
# What each fault leaves on its source: an error (failed poll) or, for faults that are read around,
# a successful poll.
EXPECTED_ERRORS = {
    "/retry-after-huge": "rate-limiting us (HTTP 429); it asked us to wait 604800 s",
    "/retry-after-3e9": "temporarily unavailable (HTTP 503); it asked us to wait 604800 s",
    "/huge-content-length": "",  # some error: h11 or our own check refuses the length
    "/error500": "answered HTTP 500",
    "/loop": "more than 5 redirects",
    "/gzip-bomb": "decompression bomb",
    "/html-as-feed": "serves an HTML page, not a feed",
    "/rate-limited": "rate-limiting us (HTTP 429)",
    "/never": "timed out",
}


RATE_LIMITED = ("/retry-after-huge", "/retry-after-3e9", "/rate-limited")


@pytest.fixture(scope="module")
def web():
    """The hostile web; the feeds that ask us to wait are each on a host (port) of their own, as they
    would be in real life: the per-host limiter rightly defers every later request to that host."""
    with HostileWeb() as server, HostileWeb() as second, HostileWeb() as third, HostileWeb() as fourth:
        server.own_host = dict(zip(RATE_LIMITED, (second, third, fourth), strict=True))
        yield server


@pytest.fixture
def fast_fetch(settings):
    settings.FETCH_TIMEOUT, settings.FETCH_CONNECT_TIMEOUT, settings.FETCH_READ_TIMEOUT = 1.5, 1, 1
    settings.FETCH_AHEAD = 2
    return settings


def make_sources(web: HostileWeb, paths=FAULT_FEEDS) -> list[Source]:
    return [Source.objects.create(name=path, feed_url=web.own_host.get(path, web).url(path), language="uk")
            for path in paths]


@pytest.mark.django_db
def test_one_pass_polls_every_source_and_records_each_failure(web, fast_fetch):
    sources = make_sources(web)
    reports = run_once()
    assert [report.source for report in reports] == sorted(FAULT_FEEDS)  # every source, none skipped
    for source in Source.objects.all():
        assert source.last_polled_at is not None, source.name
        assert FetchLog.objects.filter(source=source).count() == 1, source.name
        if source.name in EXPECTED_ERRORS:
            assert source.consecutive_failures == 1 and EXPECTED_ERRORS[source.name] in source.last_error, \
                (source.name, source.last_error)
            assert not FetchLog.objects.get(source=source).ok
        else:
            assert source.consecutive_failures == 0 and source.last_success_at, (source.name, source.last_error)
    assert len(sources) == len(FAULT_FEEDS)
    # The pages with impossible dates are stored with a plausible one, and grouped into stories.
    for name in PAGE_DATES:
        article = Article.objects.get(guid=f"dated-{name}")
        assert article.status == ArticleStatus.PUBLISHED or article.status == ArticleStatus.AWAITING_TRANSLATION
        assert datetime(1990, 1, 1, tzinfo=UTC) <= article.published_at <= timezone.now() + timedelta(days=1)
    naive = Article.objects.get(guid="dated-naive")
    assert naive.published_at == datetime(2025, 1, 27, 8, 0, tzinfo=UTC)  # Europe/Kyiv, the edition's zone
    year_10000 = Article.objects.get(guid="dated-year-10000")
    assert year_10000.published_at == datetime(2025, 1, 27, 7, 0, tzinfo=UTC)  # the next candidate (meta)


@pytest.mark.django_db
def test_a_scheduler_pass_completes_and_the_next_one_too(web, fast_fetch):
    make_sources(web)
    first = loop.run_due()
    assert len(first) == len(FAULT_FEEDS)
    failing = Source.objects.filter(consecutive_failures__gt=0)
    assert failing.count() == len(EXPECTED_ERRORS)
    # No source is parked for years by its Retry-After: at most the maximum interval (+ a little).
    latest = timezone.now() + timedelta(seconds=fast_fetch.POLL_MAX_INTERVAL + 60)
    assert all(source.next_poll_at <= latest for source in Source.objects.all())
    # The next pass, with every source due again, polls all of them again: nothing stuck first in line.
    Source.objects.update(next_poll_at=timezone.now() - timedelta(seconds=1))
    second = loop.run_due()
    assert len(second) == len(FAULT_FEEDS)
    assert FetchLog.objects.count() == 2 * len(FAULT_FEEDS)


@pytest.mark.django_db
def test_empty_feed_json_feed_late_doctype_and_missing_content_type_are_read(web, fast_fetch):
    sources = {source.name: source for source in make_sources(
        web, ["/empty-feed", "/json-feed", "/late-doctype-feed", "/no-content-type-feed", "/feed-year-0"])}
    reports = {report.source: report for report in run_once(list(sources.values()))}
    assert not any(report.error for report in reports.values()), reports
    assert reports["/empty-feed"].entries == 0
    assert reports["/json-feed"].entries == 2
    assert reports["/late-doctype-feed"].entries == 1
    assert Article.objects.get(guid="late-1").title == "Стаття late-1"  # &l9; was never expanded
    no_type = Source.objects.get(name="/no-content-type-feed")
    assert "Content-type" not in no_type.last_warning
    year_0 = Source.objects.get(name="/feed-year-0")
    assert "year 0 is out of range" in year_0.last_warning  # the warning is recorded on the source
    assert reports["/feed-year-0"].new == 3


@pytest.mark.django_db
@pytest.mark.parametrize(("zone", "expected_hour"), [("", 8), ("UTC", 10), ("America/New_York", 15)])
def test_dates_without_a_zone_take_the_sources_time_zone(web, zone, expected_hour):
    (source,) = make_sources(web, ["/feed-year-0"])
    source.timezone = zone
    source.save()
    poll_source(source, POLICY)
    entry = Article.objects.get(guid="naive")  # <pubDate>2025-01-27T10:00:00</pubDate>, no zone
    assert entry.published_at == datetime(2025, 1, 27, expected_hour, tzinfo=UTC)


def test_the_edition_gives_its_sources_a_time_zone():
    from django.core.exceptions import ValidationError

    from vistka.editions import load_edition

    assert load_edition("ukraine").timezone == "Europe/Kyiv"
    with pytest.raises(ValidationError, match="unknown time zone"):
        Source(name="x", feed_url="https://o.example/feed", language="uk", timezone="Mars/Olympus").clean()


@pytest.mark.django_db
def test_a_feed_that_moved_for_good_is_followed_after_a_few_polls(web, settings):
    settings.SOURCE_MOVED_AFTER = 3
    (source,) = make_sources(web, ["/moved-feed"])
    for poll in (1, 2):
        report = poll_source(source, POLICY)
        source.refresh_from_db()
        assert source.feed_url == web.url("/moved-feed") and source.moved_polls == poll
        assert "redirects permanently" in report.note
    poll_source(source, POLICY)
    source.refresh_from_db()
    assert source.feed_url == web.url("/moved-feed-new") and source.moved_polls == 0
    note = FetchLog.objects.filter(source=source).order_by("-id").first().note
    assert note.startswith("the feed moved for good:") and "/moved-feed-new" in note  # the health history


@pytest.mark.django_db
def test_a_failing_source_is_backed_off_to_the_maximum_but_never_given_up(web, settings):
    (source,) = make_sources(web, ["/error500"])
    for _ in range(25):
        Source.objects.filter(pk=source.pk).update(next_poll_at=None)
        source.refresh_from_db()
        poll_source(source, POLICY)
    source.refresh_from_db()
    assert source.active and source.consecutive_failures == 25
    wait = (source.next_poll_at - source.last_polled_at).total_seconds()
    # At the maximum, less the jitter (up to 20 % earlier, so failing sources do not return together).
    assert settings.POLL_MAX_INTERVAL * (1 - schedule.JITTER) - 1 <= wait <= settings.POLL_MAX_INTERVAL + 1


@pytest.mark.django_db
def test_an_internal_error_in_one_entry_is_recorded_and_the_feed_goes_on(web, monkeypatch):
    from vistka.pipeline import run

    real = run.ingest_entry

    def explode_on_one(source, entry, policy, **kwargs):
        if entry.guid == "y0":
            raise RuntimeError("a bug nobody foresaw")
        return real(source, entry, policy, **kwargs)

    monkeypatch.setattr(run, "ingest_entry", explode_on_one)
    (source,) = make_sources(web, ["/feed-year-0"])
    report = poll_source(source, POLICY)
    assert not report.error and report.new == 3 and report.failed == 1
    broken = Article.objects.get(guid="y0")
    assert broken.status == ArticleStatus.FAILED
    assert broken.error == "internal error: RuntimeError: a bug nobody foresaw"
    assert Article.objects.exclude(guid="y0").filter(status=ArticleStatus.PUBLISHED).count() + Article.objects.filter(
        status=ArticleStatus.AWAITING_TRANSLATION).count() == 2


@pytest.mark.django_db
def test_an_article_that_keeps_failing_is_quarantined_and_retried_on_request(web, monkeypatch, settings):
    from vistka.pipeline import run

    settings.QUARANTINE_AFTER = 3
    broken = {"on": True}
    real = run.process_stored_article

    def fails_for_one(article):
        if broken["on"] and article.guid == "naive":
            raise OverflowError("date value out of range")
        return real(article)

    monkeypatch.setattr(run, "process_stored_article", fails_for_one)
    (source,) = make_sources(web, ["/feed-year-0"])
    for attempt in range(1, 4):
        poll_source(source, POLICY)
        article = Article.objects.get(guid="naive")
        assert article.fetch_attempts == attempt
        # Backoff: the next poll does not retry it before its time; make it due.
        Article.objects.filter(pk=article.pk).update(fetched_at=timezone.now() - timedelta(days=2))
    article = Article.objects.get(guid="naive")
    assert article.status == ArticleStatus.QUARANTINED
    assert article.error.startswith("quarantined after 3 attempts: internal error while processing: OverflowError")
    requests_before = len(web.requests)
    report = poll_source(source, POLICY)  # a quarantined article is left alone by polls
    assert report.new == 0 and not [path for path, _ in web.requests[requests_before:] if "naive-entry" in path]
    from vistka.desk.status import status_lines

    assert any("1 quarantined: quarantined after 3 attempts" in line for line in status_lines())
    broken["on"] = False
    (retried,) = retry_quarantined()
    assert retried.status in (ArticleStatus.PUBLISHED, ArticleStatus.AWAITING_TRANSLATION)
    assert retried.fetch_attempts == 0 and retried.error in ("", retried.error)


@pytest.mark.django_db
def test_held_articles_that_crash_do_not_block_the_others(monkeypatch, settings):
    from vistka.pipeline import run
    from vistka.pipeline.run import resume_unfinished

    source = Source.objects.create(name="s", feed_url="http://127.0.0.1:9/feed", language="en")
    for n in range(3):
        Article.objects.create(source=source, guid=f"g{n}", url=f"http://127.0.0.1:9/{n}", title=f"Title {n}",
                               body_html="<p>Body text.</p>", language="en", status=ArticleStatus.FETCHED,
                               published_at=timezone.now())
    real = run.process_stored_article
    monkeypatch.setattr(run, "process_stored_article",
                        lambda article: (_ for _ in ()).throw(TypeError("naive")) if article.guid == "g0" else real(article))
    assert resume_unfinished() == 2
    assert Article.objects.get(guid="g0").status == ArticleStatus.FAILED


def vistka_env(data_dir, **extra) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("VISTKA_")}
    env.update(VISTKA_DATA_DIR=str(data_dir), VISTKA_FETCH_ALLOW_HOSTS="127.0.0.1", VISTKA_TRANSLATION_ENGINE="none",
               VISTKA_FETCH_HOST_DELAY="0", VISTKA_FETCH_TIMEOUT="1.5", VISTKA_FETCH_CONNECT_TIMEOUT="1",
               VISTKA_FETCH_READ_TIMEOUT="1", DJANGO_SETTINGS_MODULE="vistka.config.settings", **extra)
    return env


def vistka(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vistka.cli", *args], env=env, capture_output=True, text=True,
                          timeout=180)


def opml_for(web: HostileWeb) -> str:
    from xml.sax.saxutils import quoteattr

    outlines = "".join(f'<outline type="rss" text={quoteattr(path)} xmlUrl={quoteattr(web.own_host.get(path, web).url(path))}'
                       f' language="uk"/>' for path in FAULT_FEEDS)
    return f'<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>{outlines}</body></opml>'


def test_vistka_fetch_on_a_fresh_data_dir_polls_every_source_and_says_which_failed(web, tmp_path):
    """The issue's 'done when': one `vistka fetch` over every fault polls every source, raises nothing,
    exits 3 (some failed), and `vistka sources --json` shows each failing source with its reason."""
    env = vistka_env(tmp_path / "data")
    (tmp_path / "hostile.opml").write_text(opml_for(web))
    imported = vistka(env, "sources", "import-opml", str(tmp_path / "hostile.opml"))
    assert imported.returncode == 0, imported.stderr
    done = vistka(env, "fetch")
    assert done.returncode == 3, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert f"{len(FAULT_FEEDS)} sources polled: {len(FAULT_FEEDS) - len(EXPECTED_ERRORS)} ok, " \
           f"{len(EXPECTED_ERRORS)} failed" in done.stdout
    listed = vistka(env, "sources", "--json")
    assert listed.returncode == 0, listed.stderr
    records = {record["name"]: record for record in map(json.loads, listed.stdout.splitlines())}
    assert set(records) == set(FAULT_FEEDS)
    for name, record in records.items():
        assert set(record) >= {"name", "url", "state", "last_polled", "last_success", "consecutive_failures",
                               "last_error", "entries_stored"}
        assert record["last_polled"] is not None, name
        if name in EXPECTED_ERRORS:
            assert record["consecutive_failures"] == 1 and record["state"].startswith("failing")
            assert EXPECTED_ERRORS[name] in record["last_error"] and record["last_error"], record
        else:
            assert record["consecutive_failures"] == 0 and record["last_success"], record
    assert records["/feed-bad-page-dates"]["entries_stored"] == len(PAGE_DATES)
    again = vistka(env, "retry-quarantined")
    assert again.returncode == 0 and "0 quarantined articles retried" in again.stdout, again.stderr
    status = vistka(env, "status")
    assert status.returncode == 0, status.stderr
    assert f"{len(EXPECTED_ERRORS)} of {len(FAULT_FEEDS)} sources failing; last 24 h: " \
           f"{len(FAULT_FEEDS) - len(EXPECTED_ERRORS)} polls ok, {len(EXPECTED_ERRORS)} failed" in status.stdout


# --- Feeds: JSON Feed (the specification's own examples), DOCTYPEs anywhere, Content-Type.

JSON_FEED_1_1_EXAMPLE = b"""{
    "version": "https://jsonfeed.org/version/1.1",
    "title": "My Example Feed",
    "home_page_url": "https://example.org/",
    "feed_url": "https://example.org/feed.json",
    "items": [
        {
            "id": "2",
            "content_text": "This is a second item.",
            "url": "https://example.org/second-item"
        },
        {
            "id": "1",
            "content_html": "<p>Hello, world!</p>",
            "url": "https://example.org/initial-post"
        }
    ]
}"""
JSON_FEED_1_0_PODCAST_EXAMPLE = b"""{
    "version": "https://jsonfeed.org/version/1",
    "user_comment": "This is a podcast feed. You can add this feed to your podcast client using the following URL: http://therecord.co/feed.json",
    "title": "The Record",
    "home_page_url": "http://therecord.co/",
    "feed_url": "http://therecord.co/feed.json",
    "author": {"name": "Brent Simmons", "url": "http://example.org/"},
    "items": [
        {
            "id": "http://therecord.co/chris-parrish",
            "title": "Special #1 - Chris Parrish",
            "url": "http://therecord.co/chris-parrish",
            "content_text": "Chris has worked at Adobe and as a founder of Rogue Sheep.",
            "content_html": "Chris has worked at <a href=\\"http://adobe.com/\\">Adobe</a> and as a founder of Rogue Sheep.",
            "summary": "Brent interviews Chris Parrish, co-host of The Record and one-half of Aged & Distilled.",
            "date_published": "2014-05-09T14:04:00-07:00",
            "attachments": [
                {
                    "url": "http://therecord.co/downloads/The-Record-sp1e1-ChrisParrish.m4a",
                    "mime_type": "audio/x-m4a",
                    "size_in_bytes": 89970236,
                    "duration_in_seconds": 6629
                }
            ]
        }
    ]
}"""


def test_json_feed_1_1_specification_example():
    from vistka.pipeline.sources.feedreader import read_feed

    parsed = read_feed(JSON_FEED_1_1_EXAMPLE, "https://example.org/feed.json", "application/feed+json")
    assert [(entry.guid, entry.link) for entry in parsed.entries] == [
        ("2", "https://example.org/second-item"), ("1", "https://example.org/initial-post")]
    assert parsed.entries[0].summary == "This is a second item."
    assert parsed.entries[1].content_html == "<p>Hello, world!</p>" and parsed.warnings == []


def test_json_feed_1_0_specification_podcast_example():
    from vistka.pipeline.sources.feedreader import read_feed

    (entry,) = read_feed(JSON_FEED_1_0_PODCAST_EXAMPLE, "http://therecord.co/feed.json").entries
    assert entry.guid == "http://therecord.co/chris-parrish" and entry.title == "Special #1 - Chris Parrish"
    assert entry.published == datetime(2014, 5, 9, 21, 4, tzinfo=UTC)
    assert entry.summary.startswith("Brent interviews") and entry.authors == ["Brent Simmons"]
    assert 'href="http://adobe.com/"' in entry.content_html


@pytest.mark.parametrize(("document", "message"), [
    (b'{"items": []}', "without a JSON Feed version"), (b"{not json", "not valid JSON"),
    (b'{"version": "https://jsonfeed.org/version/1.1", "items": 5}', "no items list"), (b"[1, 2]", "not an object"),
])
def test_json_that_is_not_a_json_feed_says_why(document, message):
    from vistka.pipeline.sources.feedreader import FeedError, read_feed

    with pytest.raises(FeedError, match=message):
        read_feed(document, "https://o.example/feed.json", "application/json")


def test_a_valid_empty_feed_is_a_success_with_no_entries():
    from vistka.pipeline.sources.feedreader import read_feed

    for document in (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>',
                     b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>',
                     b'{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": []}'):
        parsed = read_feed(document, "https://o.example/feed", "application/xml")
        assert parsed.entries == [] and parsed.warnings == []


def test_the_content_type_is_given_to_feedparser():
    from vistka.pipeline.sources.feedreader import read_feed

    document = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>a</title>'
                b"<link>https://o.example/a</link></item></channel></rss>")
    assert read_feed(document, "https://o.example/feed", "application/rss+xml; charset=windows-1251").warnings == []


@pytest.mark.parametrize("offset", [0, 70_000, 1_000_000])
def test_no_doctype_anywhere_can_expand_entities(offset):
    from vistka.pipeline.sources.feedreader import read_feed, without_doctypes

    laughs = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10 if n else "lol"}">' for n in range(10))
    document = (f'<?xml version="1.0"?><!-- {"x" * offset} --><!DOCTYPE rss [{laughs}]><rss version="2.0"><channel>'
                f"<title>t</title><item><title>&l9;</title><link>https://o.example/a</link></item>"
                f'<!DOCTYPE again [<!ENTITY x SYSTEM "file:///etc/passwd">]></channel></rss>').encode()
    stripped = without_doctypes(document)
    assert b"<!ENTITY" not in stripped and b"<!DOCTYPE" not in stripped
    started = time.monotonic()
    (entry,) = read_feed(document, "https://o.example/feed", "application/rss+xml").entries
    assert len(entry.title) < 100 and "lol" not in entry.title and time.monotonic() - started < 5


def test_an_unterminated_doctype_ends_the_document():
    from vistka.pipeline.sources.feedreader import without_doctypes

    assert without_doctypes(b"<rss><!DOCTYPE x [<!ENTITY a 'b'>") == b"<rss>"
    assert without_doctypes(b"<rss><!doctype x>" * 3) == b"<rss>" * 3


# --- Numbers an outlet sends are capped.

@pytest.mark.parametrize(("header", "expected"), [
    ("120", 120.0), ("99999999999999999999", 604800.0), ("3000000000", 604800.0), ("9" * 5000, 604800.0),
    ("Wed, 21 Oct 2099 07:28:00 GMT", 604800.0), ("Mon, 01 Jan 0001 00:00:00 GMT", None), ("-5", None),
    ("１２０", None), ("soon", None), ("", None),
])
def test_retry_after_is_capped(header, expected):
    from vistka.pipeline.fetch.response import parse_retry_after

    value = parse_retry_after(header)
    assert value == expected or (expected is None and (value is None or value == 0.0)), value


@pytest.mark.parametrize("retry_after", [1e20, 3e9, float("inf"), float("nan"), None, 0.0])
def test_poll_interval_never_overflows_nor_passes_the_maximum(retry_after):
    from vistka.pipeline.sources.schedule import poll_interval

    interval = poll_interval(0, 30, 300, 86400, retry_after)
    assert 300 <= interval <= 86400
    timezone.now() + timedelta(seconds=interval)  # no OverflowError


def test_content_length_of_thousands_of_digits_is_refused_not_converted():
    import httpx

    from vistka.pipeline.fetch.errors import FetchError
    from vistka.pipeline.fetch.response import read_limited

    response = httpx.Response(200, headers={"content-length": "9" * 5000}, content=b"x")
    with pytest.raises(FetchError, match="over the 10-byte limit"):
        read_limited(response, "https://o.example/", 10, 100)


def test_a_host_is_never_deferred_for_more_than_a_week():
    from vistka.pipeline.fetch.limiter import MAX_DEFER, InProcessHostLimiter

    limiter = InProcessHostLimiter()
    limiter.defer("o.example", 1e20)
    assert MAX_DEFER - 5 <= limiter.deferred_for("o.example") <= MAX_DEFER


# --- The task path: PostgreSQL + Celery workers on Redis, the same faults.

def postgres_rows(database_url: str, query: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(database_url) as connection:
        return connection.execute(query).fetchall()


@pytest.mark.services
def test_workers_poll_every_faulty_source_and_record_each_failure(web, tmp_path):
    from tests.services import fresh_postgres_database, fresh_redis
    from tests.workers.test_workers import start_worker, stop

    with fresh_postgres_database() as database_url, fresh_redis() as broker_url:
        env = vistka_env(tmp_path / "data", VISTKA_DATABASE_URL=database_url, VISTKA_BROKER_URL=broker_url,
                         VISTKA_TASK_VISIBILITY_TIMEOUT="30")
        (tmp_path / "hostile.opml").write_text(opml_for(web))
        assert vistka(env, "sources", "import-opml", str(tmp_path / "hostile.opml")).returncode == 0
        worker = start_worker(env, tmp_path / "worker.log", concurrency=3)
        try:
            enqueued = vistka(env, "scheduler", "--once")
            assert f"enqueued {len(FAULT_FEEDS)} source(s)" in enqueued.stdout, enqueued.stdout + enqueued.stderr
            deadline = time.monotonic() + 120
            polled = stored = []
            while time.monotonic() < deadline:
                polled = postgres_rows(database_url, "SELECT name FROM core_source WHERE last_polled_at IS NOT NULL")
                stored = postgres_rows(database_url, "SELECT guid FROM core_article WHERE guid LIKE 'dated-%%' "
                                                     "AND status NOT IN ('fetched', 'failed')")
                if len(polled) == len(FAULT_FEEDS) and len(stored) == len(PAGE_DATES):
                    break
                time.sleep(1)
            listed = vistka(env, "sources", "--json")
        finally:
            stop(worker)
    log = (tmp_path / "worker.log").read_text()
    assert len(polled) == len(FAULT_FEEDS) and len(stored) == len(PAGE_DATES), (polled, stored, log[-3000:])
    records = {record["name"]: record for record in map(json.loads, listed.stdout.splitlines())}
    for name, record in records.items():
        if name in EXPECTED_ERRORS:
            assert record["consecutive_failures"] == 1 and EXPECTED_ERRORS[name] in record["last_error"], record
        else:
            assert record["consecutive_failures"] == 0 and record["last_success"], record
    assert "Traceback" not in log, log[-3000:]
