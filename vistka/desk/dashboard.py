"""The editor's dashboard: per-source health and the pipeline's throughput, for one admin page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from vistka.core.models import Article, ArticleStatus, FetchLog, Source, Translation
from vistka.desk.charts import bar_chart_svg

CHART_DAYS = 14


@dataclass
class SourceHealth:
    source: Source
    polls: int
    successes: int
    per_day: list[tuple[date, int]]
    backlog: int
    in_review: int
    qa_flagged: int
    chart_svg: str = field(default="")

    @property
    def success_rate(self) -> float | None:
        return self.successes / self.polls if self.polls else None


def source_health(days: int = CHART_DAYS) -> list[SourceHealth]:
    since = timezone.now() - timedelta(days=days)
    polls = _by_source(FetchLog.objects.filter(at__gte=since), total=Count("id"), ok=Count("id", filter=Q(ok=True)))
    held = _by_source(Article.objects.all(),
                      backlog=Count("id", filter=Q(status=ArticleStatus.AWAITING_TRANSLATION)),
                      in_review=Count("id", filter=Q(status=ArticleStatus.IN_REVIEW)))
    flagged = dict(Translation.objects.exclude(flags=[]).values("article__source")
                   .annotate(n=Count("id")).values_list("article__source", "n"))
    rows = []
    for source in Source.objects.all():
        poll, hold = polls.get(source.pk, {}), held.get(source.pk, {})
        row = SourceHealth(source, poll.get("total", 0), poll.get("ok", 0), articles_per_day(source, days),
                           hold.get("backlog", 0), hold.get("in_review", 0), flagged.get(source.pk, 0))
        row.chart_svg = bar_chart_svg(row.per_day, title=f"Articles per day from {source.name}")
        rows.append(row)
    return rows


def articles_per_day(source: Source, days: int = CHART_DAYS) -> list[tuple[date, int]]:
    """New articles stored per day (by fetch time, in the site's time zone), oldest first, zeros kept."""
    today = timezone.localdate()
    first = today - timedelta(days=days - 1)
    counts = dict(Article.objects.filter(source=source, fetched_at__date__gte=first)
                  .annotate(day=TruncDate("fetched_at")).values("day").annotate(n=Count("id"))
                  .values_list("day", "n"))
    return [(first + timedelta(days=i), counts.get(first + timedelta(days=i), 0)) for i in range(days)]


def throughput(hours: int = 24) -> dict[str, int]:
    """What the pipeline did in the last `hours`: polls, entries seen, articles stored/published/failed."""
    since = timezone.now() - timedelta(hours=hours)
    logs = FetchLog.objects.filter(at__gte=since).aggregate(
        polls=Count("id"), failed_polls=Count("id", filter=Q(ok=False)), entries=Sum("entries"))
    recent = Article.objects.filter(fetched_at__gte=since)
    by_status = dict(recent.values("status").annotate(n=Count("id")).values_list("status", "n"))
    return {"polls": logs["polls"], "failed_polls": logs["failed_polls"], "entries": logs["entries"] or 0,
            "stored": sum(by_status.values()), "published": by_status.get(ArticleStatus.PUBLISHED, 0),
            "in_review": by_status.get(ArticleStatus.IN_REVIEW, 0),
            "awaiting_translation": by_status.get(ArticleStatus.AWAITING_TRANSLATION, 0),
            "failed": by_status.get(ArticleStatus.FAILED, 0)}


def _by_source(queryset, **aggregates) -> dict[int, dict]:
    return {row["source"]: row for row in queryset.values("source").annotate(**aggregates)}


@staff_member_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("core.view_fetchlog"):
        raise PermissionDenied
    from django.contrib import admin

    context = {**admin.site.each_context(request), "title": "Dashboard", "sources": source_health(),
               "throughput": throughput(), "days": CHART_DAYS}
    return render(request, "admin/vistka_dashboard.html", context)
