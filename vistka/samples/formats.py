"""Escaping and date formats of the sample outlets, as plain functions and as template filters.

The templates under ``templates/`` are rendered by a Django template engine with autoescaping off
(:func:`vistka.samples.build.render`), so every value is escaped explicitly with the filter the
outlet's markup needs: ``esc`` for HTML (apostrophes stay as they are, which Django's own escaping
would turn into ``&#x27;``), ``xesc`` for XML.  Dates go through these filters too, never Django's
``date`` filter, so that rendering needs no Django settings and no locale.
"""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import format_datetime
from html import escape

from django.template import Library

register = Library()

UK_MONTHS = [
    "січня", "лютого", "березня", "квітня", "травня", "червня",
    "липня", "серпня", "вересня", "жовтня", "листопада", "грудня",
]  # fmt: skip
EN_MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh",
    "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n",
    "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu", "я": "ia", "’": "", "'": "",
}  # fmt: skip


@register.filter
def esc(text: str) -> str:
    """Escape for HTML text and double-quoted attributes (apostrophes stay as they are)."""
    return escape(text, quote=False).replace('"', "&quot;")


@register.filter
def xesc(text: str) -> str:
    """Escape for XML text/attributes."""
    return escape(text, quote=True)


@register.filter
def iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt else None


@register.filter
def rfc822(dt: datetime) -> str:
    return format_datetime(dt)


@register.filter
def uk_date(dt: datetime) -> str:
    return f"{dt.day} {UK_MONTHS[dt.month - 1]} {dt.year}, {dt:%H:%M}"


@register.filter
def en_date(dt: datetime) -> str:
    return f"{EN_MONTHS[dt.month - 1]} {dt.day}, {dt.year}, {dt:%H:%M}"


@register.filter
def strftime(dt: datetime, fmt: str) -> str:
    return dt.strftime(fmt)


@register.filter(name="slug")
def translit_slug(name: str) -> str:
    out = "".join(TRANSLIT.get(c, c) for c in name.lower())
    return re.sub(r"[^a-z0-9]+", "-", out).strip("-")
