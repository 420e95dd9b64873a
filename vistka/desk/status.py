"""What `vistka status` prints: health per source and the backlog with its reasons."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count
from django.utils import timezone

from vistka.core.models import Article, ArticleStatus, Source


def status_lines() -> list[str]:
    from vistka.site.templatetags.sitedates import zone_label

    lines = [f"Times are in the site's time zone, {zone_label()}.", "Sources:"]
    from vistka.pipeline.sources.health import health_state

    sources = list(Source.objects.annotate(n=Count("articles")))
    for source in sources:
        state = health_state(source) + (f": {source.last_error}" if source.last_error else "")
        last = f"{timezone.localtime(source.last_success_at):%Y-%m-%d %H:%M %Z}" if source.last_success_at else "never"
        paused = "" if source.active else " (paused)"
        lines.append(f"  {source.name}{paused} [{source.language}] {source.n} articles, last success {last}, {state}")
    lines.append(_failure_line(sources))
    counts = Counter(Article.objects.values_list("status", flat=True))
    lines.append("Articles: " + ", ".join(f"{label.lower()}: {counts.get(value, 0)}"
                                          for value, label in ArticleStatus.choices))
    reasons = Counter(Article.objects.filter(status=ArticleStatus.AWAITING_TRANSLATION).values_list("error", flat=True))
    for reason, n in reasons.most_common():
        lines.append(f"  {n} awaiting translation: {reason}")
    failures = Counter(Article.objects.filter(status=ArticleStatus.FAILED).values_list("error", flat=True))
    for reason, n in failures.most_common(10):
        lines.append(f"  {n} failed: {reason}")
    quarantined = Counter(Article.objects.filter(status=ArticleStatus.QUARANTINED).values_list("error", flat=True))
    for reason, n in quarantined.most_common(10):
        lines.append(f"  {n} quarantined: {reason}")
    if quarantined:
        lines.append("  (quarantined articles kept failing and wait; `vistka retry-quarantined` tries them again)")
    lines.append(_memory_line())
    return lines + desk_lines()


def _failure_line(sources: list[Source]) -> str:
    """How many sources fail now, and how many polls failed in the last 24 hours (from the fetch log)."""
    from datetime import timedelta

    from django.utils import timezone

    from vistka.core.models import FetchLog

    failing = sum(1 for source in sources if source.consecutive_failures)
    since = timezone.now() - timedelta(hours=24)
    polls = Counter(FetchLog.objects.filter(at__gte=since).values_list("ok", flat=True))
    return (f"  {failing} of {len(sources)} sources failing; last 24 h: {polls.get(True, 0)} polls ok, "
            f"{polls.get(False, 0)} failed")


def desk_lines() -> list[str]:
    """The editor's view: review queue with reasons, fetch success rates, the last 24 hours."""
    from vistka.desk.dashboard import CHART_DAYS, source_health, throughput

    queue = Counter(Article.objects.filter(status=ArticleStatus.IN_REVIEW).values_list("error", flat=True))
    waiting = sum(queue.values())
    lines = [f"Review queue: {waiting}" if waiting else "Review queue is empty"]
    lines += [f"  {n} in review: {reason or 'held by an editor'}" for reason, n in queue.most_common()]
    lines.append(f"Fetch success (last {CHART_DAYS} days):")
    for row in source_health():
        rate = f"{row.successes}/{row.polls} polls ok" if row.polls else "no polls"
        lines.append(f"  {row.source.name}: {rate}, backlog {row.backlog}, QA flags {row.qa_flagged}")
    done = throughput()
    lines.append("Last 24 h: " + ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in done.items()))
    return lines


def _memory_line() -> str:
    from vistka.pipeline.translate.memory import memory_stats

    stats = memory_stats()
    return (f"Translation memory: {stats.segments} segments, hit rate {stats.hit_rate:.1%} "
            f"({stats.hits} reused, {stats.translated} translated by an engine)")
