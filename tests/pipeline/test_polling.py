"""Polling sources on the hostile web: health in words, nothing partial or duplicated stored."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.hostile_web import HostileWeb
from vistka.core.models import Article, ArticleStatus, Source
from vistka.pipeline.fetch import FetchPolicy
from vistka.pipeline.run import poll_source
from vistka.pipeline.sources.health import health_state

POLICY = FetchPolicy(timeout=1.5, connect_timeout=1, read_timeout=1, allow_hosts=["127.0.0.1"])


@pytest.fixture(scope="module")
def web():
    with HostileWeb() as server:
        yield server


def source_for(web: HostileWeb, path: str) -> Source:
    return Source.objects.create(name=path, feed_url=web.url(path), language="uk")


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "message"), [
    ("/never", "timed out"),
    ("/trickle", "timed out"),
    ("/error500", "answered HTTP 500"),
    ("/loop", "more than 5 redirects"),
    ("/redirect-metadata", "169.254.169.254, a link-local (cloud metadata range) address"),
    ("/redirect-ipv6-loopback", "::1, a loopback address"),
    ("/gzip-bomb", "decompression bomb"),
    ("/huge", "over the 10,000,000-byte limit"),
    ("/html-as-feed", "serves an HTML page, not a feed"),
    ("/video", "serves video/mp4, which is not a feed"),
])
def test_feed_fault_is_recorded_on_the_source(web, path, message):
    source = source_for(web, path)
    report = poll_source(source, POLICY)
    source.refresh_from_db()
    assert message in report.error and message in source.last_error
    assert source.consecutive_failures == 1 and source.failing_since is not None
    assert health_state(source).startswith("failing")
    assert source.next_poll_at > timezone.now()
    assert Article.objects.count() == 0


@pytest.mark.django_db
def test_retry_after_sets_the_next_poll(web):
    source = source_for(web, "/rate-limited")
    poll_source(source, POLICY)
    source.refresh_from_db()
    assert "rate-limiting us (HTTP 429); it asked us to wait 120 s" in source.last_error
    assert source.next_poll_at >= timezone.now() + timedelta(seconds=110)


@pytest.mark.django_db
def test_three_polls_send_conditional_headers_and_store_nothing_new(web):
    source = source_for(web, "/etag-feed")
    reports = [poll_source(source, POLICY) for _ in range(3)]
    feed_requests = [headers for path, headers in web.requests if path == "/etag-feed"][-3:]
    assert "If-None-Match" not in feed_requests[0]
    assert all(h.get("If-None-Match") == '"v1"' for h in feed_requests[1:])
    assert all(h.get("If-Modified-Since") == "Mon, 27 Jan 2025 10:00:00 GMT" for h in feed_requests[1:])
    assert [r.new for r in reports] == [1, 0, 0] and reports[1].not_modified and reports[2].not_modified
    assert Article.objects.count() == 1


@pytest.mark.django_db
def test_titles_changing_on_every_poll_store_one_article(web):
    source = source_for(web, "/changing-feed")
    reports = [poll_source(source, POLICY) for _ in range(3)]
    assert [r.new for r in reports] == [1, 0, 0]
    assert Article.objects.count() == 1


@pytest.mark.django_db
def test_entries_without_guid_or_link(web):
    source = source_for(web, "/no-guid-feed")
    report = poll_source(source, POLICY)
    source.refresh_from_db()
    assert report.new == 1  # two links to one page (tracking parameter, fragment) are one article
    article = Article.objects.get()
    assert article.url == web.url("/article/1") and article.status != ArticleStatus.FAILED
    assert "2 of 4 entries have no usable link and were skipped" in source.last_warning
    assert health_state(source) == "ok, with warnings"


@pytest.mark.django_db
def test_truncated_feed_keeps_its_complete_entries(web):
    source = source_for(web, "/truncated-feed")
    report = poll_source(source, POLICY)
    source.refresh_from_db()
    assert not report.error and "not well-formed" in source.last_warning
    assert "ends early (truncated?); its last entry was ignored" in source.last_warning
    assert report.new == 1
    assert all(a.body_html and a.status != ArticleStatus.FAILED for a in Article.objects.all())


@pytest.mark.django_db
def test_bad_article_pages_fail_alone(web):
    source = source_for(web, "/bad-articles-feed")
    report = poll_source(source, POLICY)
    assert not report.error
    errors = {url.removeprefix(web.base_url): error for url, error in Article.objects.values_list("url", "error")}
    assert "timed out" in errors["/never"]
    assert "byte limit" in errors["/huge-undeclared"]
    assert "HTTP 500" in errors["/error500"]
    assert "video/mp4" in errors["/video"]
    assert "robots.txt does not allow vistka" in errors["/private/secret"]
    failed = Article.objects.filter(status=ArticleStatus.FAILED)
    assert failed.count() == 5 and not any(a.body_html for a in failed)
    good = Article.objects.get(url=web.url("/article/0"))
    assert good.status != ArticleStatus.FAILED and "Президент України" in good.body_html


@pytest.mark.django_db
def test_source_failing_for_days_is_flagged_not_dropped(web):
    source = source_for(web, "/error500")
    poll_source(source, POLICY)
    Source.objects.filter(pk=source.pk).update(failing_since=timezone.now() - timedelta(days=3))
    source.refresh_from_db()
    poll_source(source, POLICY)
    source.refresh_from_db()
    assert source.active and source.consecutive_failures == 2
    assert health_state(source).startswith("FLAGGED: failing since")


@pytest.mark.django_db
def test_admin_source_list_shows_health(admin_client, web):
    source = source_for(web, "/error500")
    poll_source(source, POLICY)
    page = admin_client.get("/admin/core/source/").content.decode()
    assert "failing (1x)" in page
    detail = admin_client.get(f"/admin/core/source/{source.pk}/change/").content.decode()
    assert "answered HTTP 500" in detail


@pytest.mark.django_db
def test_failed_articles_are_retried_with_backoff(web):
    source = source_for(web, "/bad-articles-feed")
    poll_source(source, POLICY)
    before = len(web.requests)
    poll_source(source, POLICY)
    assert [path for path, _ in web.requests[before:]] == ["/bad-articles-feed"]  # too soon to retry
    Article.objects.update(fetched_at=timezone.now() - timedelta(minutes=6))
    poll_source(source, POLICY)
    assert "/error500" in [path for path, _ in web.requests[before:]]
    assert Article.objects.get(url=web.url("/error500")).fetch_attempts == 2


@pytest.mark.django_db(transaction=True)
def test_scheduler_polls_due_sources_and_stops_cleanly(web):
    import threading

    from vistka.pipeline.loop import run_scheduler

    failing = source_for(web, "/error500")
    working = source_for(web, "/etag-feed")
    Source.objects.create(name="later", feed_url=web.url("/never"), language="uk",
                          next_poll_at=timezone.now() + timedelta(hours=1))
    paused = Source.objects.create(name="paused", feed_url=web.url("/never"), language="uk", active=False)
    stop = threading.Event()
    thread = threading.Thread(target=run_scheduler, args=(stop,), daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and Source.objects.filter(last_polled_at__isnull=True).count() > 2:
        time.sleep(0.2)
    stop.set()
    thread.join(timeout=10)
    assert not thread.is_alive()
    failing.refresh_from_db()
    working.refresh_from_db()
    paused.refresh_from_db()
    assert "HTTP 500" in failing.last_error and failing.next_poll_at > timezone.now()
    assert working.last_success_at and working.next_poll_at > timezone.now() and working.articles.count() == 1
    assert paused.last_polled_at is None and Source.objects.get(name="later").last_polled_at is None
