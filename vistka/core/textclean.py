"""Control characters never reach the database.

Outlets' pages, feeds, translation engines and readers' comments can carry NUL and other control
characters. PostgreSQL refuses a NUL in text and JSON (the whole save fails), and the others are
invisible junk at best: every text and JSON field of vistka's own models is cleaned just before it is
saved. Newlines and tabs stay; a carriage return becomes a newline.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import models

# C0 controls but tab and newline, DEL, C1 controls, lone surrogates (not encodable) and the two
# non-characters U+FFFE/U+FFFF.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_TEXT_FIELDS = (models.CharField, models.TextField)


def strip_control_chars(text: str) -> str:
    """text without control characters; \\n and \\t kept, \\r\\n and \\r turned into \\n."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def _clean_json(value: Any) -> Any:
    if isinstance(value, str):
        return strip_control_chars(value)
    if isinstance(value, list):
        return [_clean_json(item) for item in value]
    if isinstance(value, dict):
        return {_clean_json(key): _clean_json(item) for key, item in value.items()}
    return value


def clean_instance_text(instance: models.Model) -> None:
    """Strip control characters from every text and JSON field of instance, in place."""
    for field in instance._meta.concrete_fields:
        if isinstance(field, _TEXT_FIELDS):
            value = getattr(instance, field.attname)
            if isinstance(value, str) and (_CONTROL.search(value) or "\r" in value):
                setattr(instance, field.attname, strip_control_chars(value))
        elif isinstance(field, models.JSONField):
            value = getattr(instance, field.attname)
            if isinstance(value, (list, dict, str)):
                setattr(instance, field.attname, _clean_json(value))


def clean_before_save(sender, instance, raw: bool = False, **kwargs) -> None:
    """pre_save receiver for vistka's models (articles, translations, comments, stories, sources...)."""
    if not raw and sender._meta.app_label == "core":
        clean_instance_text(instance)
