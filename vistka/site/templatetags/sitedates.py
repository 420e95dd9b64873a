"""Dates and times as every page of the site shows them: one format, in the site's time zone, labelled.

    {% load sitedates %}
    {% shown_time article.published_at %}         6 December 2026, 14:05 EET
    {% shown_time day "date" %}                   6 December 2026
    {% shown_time article.published_at "time" %}  14:05 EET

Each renders a <time> element whose datetime attribute is the exact ISO 8601 moment.
"""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html

register = template.Library()

FORMATS = {"datetime": "j F Y, H:i T", "date": "j F Y", "time": "H:i T"}


def zone_label(moment: datetime | None = None) -> str:
    """The site's time zone as readers and operators are told it: "Europe/Kyiv (EET)"."""
    local = timezone.localtime(moment or timezone.now())
    return f"{settings.TIME_ZONE} ({local.strftime('%Z')})"


def shown_text(value: datetime | date, kind: str = "datetime") -> str:
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return format_date(value, FORMATS[kind])


@register.simple_tag
def shown_time(value: datetime | date | None, kind: str = "datetime") -> str:
    if value is None:
        return ""
    if kind not in FORMATS:
        raise template.TemplateSyntaxError(f"shown_time: kind must be one of {', '.join(FORMATS)}, not {kind!r}")
    moment = timezone.localtime(value) if isinstance(value, datetime) and timezone.is_aware(value) else value
    return format_html('<time datetime="{}">{}</time>', moment.isoformat(), shown_text(value, kind))


@register.simple_tag
def site_time_zone() -> str:
    return zone_label()
