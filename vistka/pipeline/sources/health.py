"""Source health: what the last poll did, stored where `vistka sources list` and the admin show it."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from vistka.core.models import Source
from vistka.pipeline.sources.schedule import plan_next_poll

log = logging.getLogger("vistka.pipeline")
HEALTH_FIELDS = ["last_polled_at", "last_success_at", "last_error", "consecutive_failures", "failing_since",
                 "entries_per_day", "next_poll_at", "last_warning", "etag", "last_modified", "moved_to", "moved_polls"]


def record_failure(source: Source, message: str, retry_after: float | None = None) -> None:
    log.warning("%s: %s", source.name, message)
    now = timezone.now()
    source.last_error = message
    source.consecutive_failures += 1
    source.failing_since = source.failing_since or source.last_polled_at or now
    plan_next_poll(source, now, retry_after)
    source.save(update_fields=HEALTH_FIELDS)


def note_redirect(source: Source, moved_to: str) -> str:
    """Follow a feed that moved for good: after VISTKA_SOURCE_MOVED_AFTER polls in a row answered with
    a permanent redirect (301/308) to the same address, that address becomes the feed URL. Returns
    what happened, in words, for the source's health history (FetchLog.note); saved with the health."""
    if not moved_to or moved_to == source.feed_url or len(moved_to) > 1000:
        source.moved_to, source.moved_polls = "", 0  # a temporary redirect, or none: the count starts over
        return ""
    if moved_to != source.moved_to:
        source.moved_to, source.moved_polls = moved_to, 0
    source.moved_polls += 1
    needed = max(1, settings.SOURCE_MOVED_AFTER)
    if source.moved_polls < needed:
        return (f"the feed redirects permanently to {moved_to} (poll {source.moved_polls} of {needed} "
                f"before the source follows)")
    old = source.feed_url
    source.feed_url, source.moved_to, source.moved_polls = moved_to, "", 0
    source.save(update_fields=["feed_url"])
    log.warning("%s: feed moved for good from %s to %s", source.name, old, moved_to)
    return f"the feed moved for good: {old} -> {moved_to} (permanent redirect on {needed} polls in a row)"


def record_success(source: Source, etag: str, last_modified: str, warnings: list[str]) -> None:
    source.last_success_at = source.last_polled_at
    source.last_error, source.consecutive_failures, source.failing_since = "", 0, None
    source.last_warning = "; ".join(warnings)
    source.etag, source.last_modified = etag or source.etag, last_modified or source.last_modified
    plan_next_poll(source, timezone.now())
    source.save(update_fields=HEALTH_FIELDS)


def is_flagged(source: Source, now: datetime | None = None) -> bool:
    """Failing for longer than VISTKA_SOURCE_FLAG_HOURS: needs the operator, but is never dropped."""
    now = now or timezone.now()
    return bool(source.failing_since and now - source.failing_since >= timedelta(hours=settings.SOURCE_FLAG_HOURS))


def health_state(source: Source, now: datetime | None = None) -> str:
    if not source.active:
        return "paused"
    if is_flagged(source, now):
        return f"FLAGGED: failing since {timezone.localtime(source.failing_since):%Y-%m-%d %H:%M %Z}"
    if source.consecutive_failures:
        return f"failing ({source.consecutive_failures}x)"
    if source.last_success_at is None:
        return "not polled yet"
    return "ok" if not source.last_warning else "ok, with warnings"
