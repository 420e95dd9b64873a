"""What `vistka status` prints: health per source and the backlog with its reasons."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count

from vistka.core.models import Article, ArticleStatus, Source


def status_lines() -> list[str]:
    lines = ["Sources:"]
    for source in Source.objects.annotate(n=Count("articles")):
        state = "ok" if not source.last_error else f"FAILING x{source.consecutive_failures}: {source.last_error}"
        last = source.last_success_at.strftime("%Y-%m-%d %H:%M") if source.last_success_at else "never"
        paused = "" if source.active else " (paused)"
        lines.append(f"  {source.name}{paused} [{source.language}] {source.n} articles, last success {last}, {state}")
    counts = Counter(Article.objects.values_list("status", flat=True))
    lines.append("Articles: " + ", ".join(f"{label.lower()}: {counts.get(value, 0)}"
                                          for value, label in ArticleStatus.choices))
    reasons = Counter(Article.objects.filter(status=ArticleStatus.AWAITING_TRANSLATION).values_list("error", flat=True))
    for reason, n in reasons.most_common():
        lines.append(f"  {n} awaiting translation: {reason}")
    in_review = Counter(Article.objects.filter(status=ArticleStatus.IN_REVIEW).values_list("error", flat=True))
    for reason, n in in_review.most_common(10):
        lines.append(f"  {n} in review: {reason}")
    failures = Counter(Article.objects.filter(status=ArticleStatus.FAILED).values_list("error", flat=True))
    for reason, n in failures.most_common(10):
        lines.append(f"  {n} failed: {reason}")
    lines.append(_memory_line())
    return lines


def _memory_line() -> str:
    from vistka.pipeline.memory import memory_stats

    stats = memory_stats()
    return (f"Translation memory: {stats.segments} segments, hit rate {stats.hit_rate:.1%} "
            f"({stats.hits} reused, {stats.translated} translated by an engine)")
