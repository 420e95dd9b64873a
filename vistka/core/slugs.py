"""URL slugs in plain ASCII for titles in any script: /article/12/kyiv-zelenskyi-met-syrskyi/, not /article/12/article/.

Ukrainian (and, where the language is not known, Cyrillic text, which on this site is mostly Ukrainian)
is romanised by the official national system (translitua's KMU 2010 table: Київ → Kyiv, Згорани →
Zghorany); Russian by its passport system; every other script, and whatever those tables leave, by
anyascii, which covers all of Unicode.
"""

from __future__ import annotations

from anyascii import anyascii
from django.utils.text import slugify
from translitua import RussianInternationalPassport, UkrainianKMU, translit

MAX_SLUG = 100
_TABLES = {"uk": UkrainianKMU, "": UkrainianKMU, "ru": RussianInternationalPassport}


def make_slug(text: str, language: str = "", fallback: str = "") -> str:
    """An ASCII slug of `text` (cut to MAX_SLUG), or `fallback` when nothing of it can be spelt in ASCII."""
    table = _TABLES.get((language or "").split("-")[0].lower())
    romanised = translit(text, table) if table is not None else text
    return slugify(anyascii(romanised))[:MAX_SLUG].strip("-") or fallback
