"""Adaptive polling: each source's next poll time from how often it publishes and how it has been
failing, bounded by VISTKA_POLL_MIN_INTERVAL and VISTKA_POLL_MAX_INTERVAL.

A source that publishes every 10 minutes is polled every 5 (the minimum); one that publishes twice
a day, every 6 hours; a failing source backs off exponentially (with jitter, so that many sources
failing together do not return together) up to the maximum; Retry-After is never undercut.
"""

from __future__ import annotations

import logging
import math
import random
import threading
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from vistka.core.models import Article, Source

log = logging.getLogger("vistka.schedule")
RATE_WINDOW_DAYS = 7
JITTER = 0.2  # ±20 %
RESUME_EVERY = 900.0  # seconds between two retries of held articles in `vistka run`


def poll_interval(entries_per_day: float, failures: int, minimum: float, maximum: float,
                  retry_after: float | None = None, rng: random.Random | None = None) -> float:
    """Seconds until the next poll; Retry-After is obeyed up to `maximum` (a source is never parked longer)."""
    rng = rng or random
    if failures:
        base = minimum * (2 ** min(failures, 20))
    elif entries_per_day > 0:
        base = 86400 / entries_per_day / 2  # poll twice per expected gap between articles
    else:
        base = maximum
    interval = min(max(base, minimum), maximum) * rng.uniform(1 - JITTER, 1 + JITTER)
    interval = min(max(interval, minimum), maximum)
    asked = retry_after if retry_after is not None and math.isfinite(retry_after) else 0.0
    return max(interval, min(asked, maximum))


def publishing_rate(source: Source, now: datetime) -> float:
    """New articles per day over the last RATE_WINDOW_DAYS, by their publication time."""
    since = now - timedelta(days=RATE_WINDOW_DAYS)
    recent = Article.objects.filter(source=source, published_at__gte=since, published_at__lte=now).count()
    return recent / RATE_WINDOW_DAYS


def plan_next_poll(source: Source, now: datetime, retry_after: float | None = None) -> None:
    """Set (not save) the source's publishing rate and next poll time."""
    source.entries_per_day = publishing_rate(source, now)
    seconds = poll_interval(source.entries_per_day, source.consecutive_failures,
                            settings.POLL_MIN_INTERVAL, settings.POLL_MAX_INTERVAL, retry_after)
    source.next_poll_at = now + timedelta(seconds=seconds)


def retry_due(article: Article, now: datetime | None = None) -> bool:
    """A failed article is fetched again after min × 2^(attempts-1), at most the maximum interval, so a
    page that keeps failing is not requested on every poll of a busy feed."""
    now = now or timezone.now()
    wait = min(settings.POLL_MIN_INTERVAL * 2 ** max(article.fetch_attempts - 1, 0), settings.POLL_MAX_INTERVAL)
    return article.fetched_at + timedelta(seconds=wait) <= now


def due_sources(now: datetime | None = None) -> list[Source]:
    """Active sources whose next poll time has come (or that were never polled)."""
    now = now or timezone.now()
    due = Source.objects.filter(active=True).exclude(next_poll_at__gt=now)
    return list(due.order_by("next_poll_at"))


def run_due(now: datetime | None = None) -> list:
    """Poll every due source once; returns their PollReports. poll_source catches each source's own
    failures (fault isolation), so one bad source never ends the pass for the ones after it."""
    from vistka.pipeline.fetch import FetchPolicy
    from vistka.pipeline.run import poll_source

    policy = FetchPolicy.from_settings()
    return [poll_source(source, policy) for source in due_sources(now)]


def seconds_until_next(now: datetime | None = None, cap: float = 60.0) -> float:
    now = now or timezone.now()
    upcoming = Source.objects.filter(active=True, next_poll_at__isnull=False).order_by("next_poll_at").first()
    if upcoming is None:
        return cap
    return min(max((upcoming.next_poll_at - now).total_seconds(), 1.0), cap)


def run_scheduler(stop: threading.Event, cap: float = 60.0, resume_every: float = RESUME_EVERY) -> None:
    """Poll due sources until `stop` is set; never dies on one bad pass. Now and then it also carries
    on with held articles (e.g. interrupted between storing and publishing)."""
    from django.db import close_old_connections

    from vistka.pipeline.run import resume_unfinished

    last_resume = 0.0
    while not stop.is_set():
        close_old_connections()  # a long-lived thread must not keep a dead database connection
        try:
            for report in run_due():
                log.info("%s: %s", report.source, report.error or f"{report.new} new of {report.entries}")
            if time.monotonic() - last_resume >= resume_every:
                last_resume = time.monotonic()
                resume_unfinished()  # each held article isolated: one that keeps failing is quarantined
        except Exception:  # one broken pass must not end the scheduler of a long-running process
            log.exception("scheduler pass failed; trying again later")
        stop.wait(seconds_until_next(cap=cap))
