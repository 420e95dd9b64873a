"""Lists of articles: by outlet, by topic, by date."""

from __future__ import annotations

import calendar
from datetime import MAXYEAR, MINYEAR, date, datetime, time, timedelta

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateformat import format as format_date

from vistka.core.models import Source, Topic
from vistka.site.caching import cached_page
from vistka.site.templatetags.sitedates import shown_text
from vistka.site.views.common import article_cards, paginate


def source_slug(source: Source) -> str:
    return source.display_slug


@cached_page
def source(request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
    outlet = get_object_or_404(Source, pk=pk)
    if slug != source_slug(outlet):
        return redirect("source", pk=outlet.pk, slug=source_slug(outlet), permanent=True)
    page = paginate(request, article_cards().filter(source=outlet))
    return render(request, "site/source.html", {"source": outlet, "page": page})


@cached_page
def topic(request: HttpRequest, slug: str) -> HttpResponse:
    found = get_object_or_404(Topic, slug=slug)
    page = paginate(request, article_cards().filter(topics=found))
    return render(request, "site/topic.html", {"topic": found, "page": page})


@cached_page
def topics(request: HttpRequest) -> HttpResponse:
    from django.db.models import Count, Q

    listed = (Topic.objects.annotate(count=Count("articles", filter=Q(articles__status="published")))
              .filter(count__gt=0).order_by("-count", "name"))
    return render(request, "site/topics.html", {"topics": listed})


@cached_page
def archive(request: HttpRequest, year: int, month: int | None = None, day: int | None = None) -> HttpResponse:
    """Articles published on one day, month or year, in the site's time zone."""
    start, end, label = _period(year, month, day)
    zone = timezone.get_current_timezone()
    window = (timezone.make_aware(datetime.combine(start, time.min), zone),
              timezone.make_aware(datetime.combine(end, time.min), zone))
    page = paginate(request, article_cards().filter(published_at__gte=window[0], published_at__lt=window[1]))
    return render(request, "site/archive.html", {"page": page, "label": label, "period": _neighbours(start, end)})


def _period(year: int, month: int | None, day: int | None) -> tuple[date, date, str]:
    # A day's neighbours and its bounds in UTC must stay inside what datetime can hold, so the first
    # and last representable years are left out; a number too big for a date is a 404, not an OverflowError.
    if not MINYEAR < year < MAXYEAR:
        raise Http404("No such date")
    try:
        if day is not None:
            start = date(year, month, day)
            return start, start + timedelta(days=1), shown_text(start, "date")  # as every page writes a day
        if month is not None:
            start = date(year, month, 1)
            last = calendar.monthrange(year, month)[1]
            return start, start + timedelta(days=last), format_date(start, "F Y")
        return date(year, 1, 1), date(year + 1, 1, 1), str(year)
    except (ValueError, OverflowError):
        raise Http404("No such date") from None


def _neighbours(start: date, end: date) -> dict:
    """The previous and next period of the same length, for the archive's own pager."""
    length = end - start
    if length.days == 1:
        return {"previous": _day_url(start - length), "next": _day_url(end)}
    return {}


def _day_url(day: date) -> str:
    from django.urls import reverse

    return reverse("archive_day", kwargs={"year": day.year, "month": day.month, "day": day.day})
