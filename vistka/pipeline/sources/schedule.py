"""Adaptive polling: each source's next poll time from how often it publishes and how it has been
failing, bounded by VISTKA_POLL_MIN_INTERVAL and VISTKA_POLL_MAX_INTERVAL.

A source that publishes every 10 minutes is polled every 5 (the minimum); one that publishes twice
a day, every 6 hours; a failing source backs off exponentially (with jitter, so that many sources
failing together do not return together) up to the maximum; Retry-After is never undercut.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from vistka.core.models import Article, Source

RATE_WINDOW_DAYS = 7
JITTER = 0.2  # ±20 %


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
