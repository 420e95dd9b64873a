"""The source list as the operator manages it: add/update, OPML, editions, and the health table."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils import timezone

from vistka.config.choices import DEFAULT_LICENCE_MODE
from vistka.core.events import content_changed
from vistka.core.models import Source


class SourceListError(ValueError):
    """A source cannot be saved; the message says which field is wrong."""


def save_source(name: str, feed_url: str, language: str, homepage: str = "", licence: str = DEFAULT_LICENCE_MODE,
                active: bool | None = None, timezone_name: str | None = None) -> tuple[Source, bool]:
    """Create or update the source called `name`; (source, created). `timezone_name`: the zone of its
    dates that give none (None: unchanged; "": the edition's)."""
    source = Source.objects.filter(name=name).first()
    created = source is None
    source = source or Source(name=name)
    if created or source.feed_url != feed_url:
        source.etag = source.last_modified = ""  # validators of another feed mean nothing here
    source.feed_url, source.language, source.homepage = feed_url, language, homepage
    source.licence_mode = licence or source.licence_mode
    if active is not None:
        source.active = active
    if timezone_name is not None:
        source.timezone = timezone_name
    try:
        source.full_clean()
    except ValidationError as error:
        raise SourceListError("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())) from None
    source.save()
    content_changed(everywhere=not created)  # an outlet's settings change what all its pages show
    return source, created


def import_outlines(outlines: Iterable, default_language: str) -> tuple[int, int, list[str]]:
    """Save each OPML outline as a source; (created, updated, problems in words)."""
    created = updated = 0
    problems = []
    for outline in outlines:
        language = outline.language or default_language
        if not language:
            problems.append(f"{outline.name}: no language (give --language)")
            continue
        try:
            _source, was_created = save_source(outline.name[:200], outline.feed_url, language[:8],
                                               outline.homepage, outline.licence or DEFAULT_LICENCE_MODE)
        except SourceListError as error:
            problems.append(f"{outline.name}: {error}")
            continue
        created += was_created
        updated += not was_created
    return created, updated, problems


def export_outlines() -> list:
    from vistka.pipeline.sources import Outline

    return [Outline(s.name, s.feed_url, s.homepage, s.language, s.licence_mode) for s in Source.objects.all()]


def health_rows() -> list[dict[str, str]]:
    """One row per source for `vistka sources list`, in words an operator reads at a glance."""
    from vistka.pipeline.sources.health import health_state

    now = timezone.now()
    rows = []
    for source in Source.objects.all():
        rows.append({
            "source": source.name,
            "state": health_state(source, now),
            "last success": when_in_words(source.last_success_at, now),
            "failures": str(source.consecutive_failures),
            "new/day": f"{source.entries_per_day:.1f}",
            "next poll": _next_poll(source, now),
            "last error / warning": source.last_error or source.last_warning or "",
        })
    return rows


def health_records() -> list[dict]:
    """One JSON-ready record per source for `vistka sources --json` (scripts and monitoring)."""
    from django.db.models import Count, Q

    from vistka.core.models import ArticleStatus
    from vistka.pipeline.sources.health import health_state

    now = timezone.now()
    sources = Source.objects.annotate(stored=Count("articles"),
                                      quarantined=Count("articles", filter=Q(articles__status=ArticleStatus.QUARANTINED)))
    return [{
        "name": source.name,
        "url": source.feed_url,
        "state": health_state(source, now),
        "active": source.active,
        "last_polled": _iso(source.last_polled_at),
        "last_success": _iso(source.last_success_at),
        "consecutive_failures": source.consecutive_failures,
        "failing_since": _iso(source.failing_since),
        "last_error": source.last_error,
        "last_warning": source.last_warning,
        "next_poll": _iso(source.next_poll_at),
        "entries_stored": source.stored,
        "quarantined": source.quarantined,
        "moved_to": source.moved_to,
        "timezone": source.time_zone,
    } for source in sources]


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def _next_poll(source: Source, now) -> str:
    if not source.active:
        return "-"
    if source.next_poll_at is None or source.next_poll_at <= now:
        return "due now"
    return when_in_words(source.next_poll_at, now)


def when_in_words(moment, now) -> str:
    if moment is None:
        return "never"
    seconds = (moment - now).total_seconds()
    span = _span(abs(seconds))
    return f"in {span}" if seconds > 0 else f"{span} ago"


def _span(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f} {unit}"
    return f"{seconds:.0f} s"
