"""`{% srcset item "sizes" %}`: the srcset and sizes attributes of a stored lead image (core/pictures.py)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from vistka.core.pictures import srcset as stored_srcset

register = template.Library()


@register.simple_tag
def srcset(item, sizes: str) -> str:
    """' srcset="…" sizes="…"' for an article's (or listing item's) stored image; '' for an image
    stored before images had widths, which keeps its single src."""
    candidates = stored_srcset(getattr(item, "image_file", ""), getattr(item, "image_width", None))
    return format_html(' srcset="{}" sizes="{}"', candidates, sizes) if candidates else ""
