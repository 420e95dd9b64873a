"""QA flags: what an editor should look at in a machine translation, checked segment by segment.

Each check compares one source sentence with its translation:
- number: a number in the source is not in the translation ("14,5" and "14.5", "1 000" and "1,000"
  count as the same number);
- date: a month named in the source is not named in the translation;
- cyrillic: Cyrillic letters are left in a translation into a language not written in Cyrillic;
- glossary: a glossary term found in the source has not got its established form in the output;
- length: the translation is much shorter or longer than the source (dropped or invented clauses);
- engine: the engine returned nothing for a non-empty segment.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from vistka.config.choices import QA_FLAGS

from .base import normalize_language
from .glossary import Glossary

FLAG_KINDS = QA_FLAGS
CYRILLIC_LANGUAGES = frozenset({"uk", "ru", "be", "bg", "sr", "mk", "kk", "ky", "mn", "tg"})
LENGTH_RATIO_RANGE = (0.4, 2.5)  # translation chars / source chars; uk→en is usually ≈ 0.9–1.2
MIN_CHARS_FOR_LENGTH = 25  # short segments ("Фото: автор") vary too much to judge

Flag = dict[str, str]  # {"kind": ..., "detail": ...}: JSON for Translation.flags

_NUMBER = re.compile(r"\d+(?:[ \u00a0\u202f.,]\d+)*")
_THOUSANDS = re.compile(r"(?<=\d)[ \u00a0\u202f.,](?=\d{3}(?!\d))")
_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff]+")
_MONTHS = {  # Ukrainian and Russian month stems → English month
    "січ": "January", "лют": "February", "берез": "March", "квіт": "April", "травн": "May", "черв": "June",
    "лип": "July", "серп": "August", "верес": "September", "жовт": "October", "листопад": "November",
    "груд": "December", "январ": "January", "феврал": "February", "март": "March", "апрел": "April",
    "ма[йя]": "May", "июн": "June", "июл": "July", "август": "August", "сентябр": "September",
    "октябр": "October", "ноябр": "November", "декабр": "December",
}
_MONTH_WORDS = [(re.compile(rf"(?<!\w)\d{{1,2}}\s+{stem}\w*|(?<!\w){stem}\w*\s+\d{{4}}", re.IGNORECASE), month)
                for stem, month in _MONTHS.items()]


def check_segments(pairs: Iterable[tuple[str, str]], source_lang: str, target_lang: str,
                   glossary: Glossary | None = None) -> list[Flag]:
    """QA flags for (source sentence, translation) pairs; each problem once per article."""
    flags: list[Flag] = []
    seen: set[tuple[str, str]] = set()
    for source, translated in pairs:
        for flag in check_segment(source, translated, source_lang, target_lang, glossary):
            key = (flag["kind"], flag["detail"])
            if key not in seen:
                seen.add(key)
                flags.append(flag)
    return flags


def check_segment(source: str, translated: str, source_lang: str, target_lang: str,
                  glossary: Glossary | None = None) -> list[Flag]:
    if not source.strip():
        return []
    if not translated.strip():
        return [_flag("engine", f"no translation for: {source[:80]}")]
    flags = [_flag("number", number) for number in missing_numbers(source, translated)]
    flags += [_flag("date", month) for month in missing_months(source, translated)]
    if normalize_language(target_lang) not in CYRILLIC_LANGUAGES:
        flags += [_flag("cyrillic", word) for word in _CYRILLIC_WORD.findall(translated)[:5]]
    if glossary is not None and normalize_language(source_lang) != normalize_language(target_lang):
        flags += [_flag("glossary", f"{term.source} → {term.target}") for term in glossary.missing(source, translated)]
    ratio = len(translated) / len(source)
    if len(source) >= MIN_CHARS_FOR_LENGTH and not LENGTH_RATIO_RANGE[0] <= ratio <= LENGTH_RATIO_RANGE[1]:
        flags.append(_flag("length", f"{ratio:.2f}× the source: {source[:80]}"))
    return flags


def missing_numbers(source: str, translated: str) -> list[str]:
    """Numbers of `source` (as written there) whose value does not appear in `translated`."""
    present = {_normalize_number(number) for number in _NUMBER.findall(translated)}
    present |= {part for number in present for part in number.split(".")}  # "2024.12.5" style dates
    present |= {short for number in present for short in _without_thousands(number)}  # "200 тисяч" = "200,000"
    return [number for number in dict.fromkeys(_NUMBER.findall(source))
            if _normalize_number(number) not in present]


def missing_months(source: str, translated: str) -> list[str]:
    return [month for pattern, month in _MONTH_WORDS
            if pattern.search(source) and not re.search(month[:3], translated, re.IGNORECASE)]


def _without_thousands(number: str) -> list[str]:
    """"200000" → ["200"], "3000000" → ["3000", "3"]: a count written with a word for thousands or
    millions in the source ("200 тисяч", "3 млн") is the same count written out in the translation."""
    shorter = []
    while number.isdigit() and number.endswith("000") and len(number) > 3:
        number = number[:-3]
        shorter.append(number)
    return shorter


def _normalize_number(number: str) -> str:
    # "1 000 000" and "1,000,000" → "1000000"; then the decimal comma → point: "14,5" → "14.5".
    return _THOUSANDS.sub("", number.strip()).replace(",", ".").replace(" ", "").replace("\u00a0", "")


def _flag(kind: str, detail: str) -> Flag:
    return {"kind": kind, "detail": detail}
