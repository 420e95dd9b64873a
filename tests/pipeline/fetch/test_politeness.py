"""Per-host limits, Retry-After, robots.txt, the User-Agent and adaptive scheduling."""

from __future__ import annotations

import random
import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.hostile_web import HostileWeb
from vistka.core.models import Article, Source
from vistka.pipeline.fetch import FetchError, FetchPolicy, RobotsDisallowed, fetch
from vistka.pipeline.fetch.limiter import InProcessHostLimiter
from vistka.pipeline.fetch.response import parse_retry_after
from vistka.pipeline.fetch.robots import RobotsCache
from vistka.pipeline.sources.schedule import due_sources, plan_next_poll, poll_interval


@pytest.fixture(scope="module")
def web():
    with HostileWeb() as server:
        yield server


def policy(**limits) -> FetchPolicy:
    return FetchPolicy(timeout=3, allow_hosts=["127.0.0.1"], limiter=InProcessHostLimiter(**limits))


def test_at_most_n_requests_in_flight_per_host(web):
    shared = policy(max_concurrent=2, min_delay=0)
    threads = [threading.Thread(target=fetch, args=(web.url("/slow"), shared)) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert web.max_in_flight == 2


def test_minimum_delay_between_requests_to_one_host(web):
    spaced = policy(max_concurrent=4, min_delay=0.25)
    started = time.monotonic()
    for _ in range(3):
        fetch(web.url("/article/0"), spaced)
    assert time.monotonic() - started >= 0.5


def test_retry_after_keeps_us_away_from_the_host(web):
    polite = policy(max_concurrent=2, min_delay=0)
    with pytest.raises(FetchError, match="HTTP 429"):
        fetch(web.url("/rate-limited"), polite)
    count = len(web.requests)
    with pytest.raises(FetchError, match=r"asked us to wait \(Retry-After\); next request allowed in 1[12]\d s"):
        fetch(web.url("/article/0"), polite)
    assert len(web.requests) == count  # nothing was sent


@pytest.mark.parametrize(("header", "expected"), [
    ("120", 120.0), ("0", 0.0), ("soon", None), ("", None), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)])
def test_retry_after_parsing(header, expected):
    assert parse_retry_after(header) == expected


def test_user_agent_names_vistka_and_the_contact(web):
    fetch(web.url("/article/0"), FetchPolicy(allow_hosts=["127.0.0.1"], contact="https://ops.example/contact"))
    agent = web.requests[-1][1]["User-Agent"]
    assert agent.startswith("vistka/") and "+https://ops.example/contact" in agent


def test_robots_txt_is_fetched_once_and_obeyed(web):
    cache = RobotsCache()
    allowed = FetchPolicy(timeout=2, allow_hosts=["127.0.0.1"])
    cache.check(web.url("/article/1"), allowed)
    with pytest.raises(RobotsDisallowed, match="robots.txt does not allow vistka"):
        cache.check(web.url("/private/secret"), allowed)
    assert [path for path, _ in web.requests].count("/robots.txt") == 1


def test_missing_robots_txt_allows_everything(web):
    from tests.http_servers import LocalServer, reply

    with LocalServer({"/a": reply(200, b"ok")}) as bare:
        RobotsCache().check(bare.base_url + "/a", FetchPolicy(timeout=2, allow_hosts=["127.0.0.1"]))


@pytest.mark.parametrize(("rate", "failures", "retry_after", "low", "high"), [
    (0.0, 0, None, 69120, 86400),        # silent source: the maximum, less jitter
    (1000.0, 0, None, 300, 360),         # very busy: the minimum, plus jitter
    (4.0, 0, None, 8640, 12960),         # 4 a day: every 3 h ± jitter
    (4.0, 1, None, 480, 720),            # first failure: 2 × minimum ± jitter
    (4.0, 5, None, 7680, 11520),         # fifth: 32 × minimum ± jitter
    (4.0, 30, None, 69120, 86400),       # failing for long: capped at the maximum
    (1000.0, 0, 3600, 3600, 3600),       # Retry-After is never undercut
])
def test_poll_interval(rate, failures, retry_after, low, high):
    for seed in range(20):
        interval = poll_interval(rate, failures, 300, 86400, retry_after, random.Random(seed))
        assert low <= interval <= high


@pytest.mark.django_db
def test_next_poll_follows_publishing_rate():
    now = timezone.now()
    busy = Source.objects.create(name="Busy", feed_url="https://b.example/rss", language="uk")
    for n in range(7 * 48):  # 48 articles a day for a week
        Article(source=busy, guid=str(n), url=f"https://b.example/{n}",
                published_at=now - timedelta(minutes=30 * n + 1)).save()
    quiet = Source.objects.create(name="Quiet", feed_url="https://q.example/rss", language="uk")
    for source in (busy, quiet):
        plan_next_poll(source, now)
        source.save()
    assert busy.entries_per_day == pytest.approx(48, abs=1)
    assert busy.next_poll_at - now <= timedelta(minutes=20)
    assert quiet.next_poll_at - now >= timedelta(hours=19)
    assert [s.name for s in due_sources(now + timedelta(minutes=21))] == ["Busy"]
    assert {s.name for s in due_sources(now + timedelta(days=2))} == {"Busy", "Quiet"}


def test_robots_crawl_delay_spaces_requests():
    from tests.http_servers import LocalServer, reply

    routes = {"/robots.txt": reply(200, b"User-agent: vistka\nCrawl-delay: 1\nAllow: /\n"), "/a": reply(200, b"ok")}
    with LocalServer(routes) as site:
        polite = policy(max_concurrent=2, min_delay=0)
        RobotsCache().check(site.base_url + "/a", polite)
        started = time.monotonic()
        for _ in range(3):
            fetch(site.base_url + "/a", polite)
        assert time.monotonic() - started >= 1.9  # the first right away, then one a second


def test_unreachable_robots_txt_disallows_for_now(web):
    from tests.http_servers import LocalServer, reply

    with LocalServer({"/robots.txt": reply(503)}) as site, \
            pytest.raises(RobotsDisallowed, match=r"robots.txt could not be read .*HTTP 503"):
        RobotsCache().check(site.base_url + "/a", FetchPolicy(timeout=2, allow_hosts=["127.0.0.1"]))
