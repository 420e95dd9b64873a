"""A small regex sentence splitter for Ukrainian, Russian and English news text.

Translation models are trained on single sentences: feeding them whole paragraphs makes them drop
or repeat clauses. Argos ships Stanza for this, which would pull in torch; a regex with a few
Ukrainian-aware rules is good enough for news prose.

A boundary is terminal punctuation, optional closing quotes/brackets, whitespace, and then
something that can start a sentence (capital letter, digit, opening quote, dash). A "." is *not*
a boundary after an initial ("В. Зеленський", "Т.Г. Шевченко", "т.д.") or after an abbreviation
that is normally followed by a capitalised name or a number ("вул. Хрещатик", "ім. Франка",
"ст. 15"). Units and currencies ("грн.", "млн.") are left out on purpose: mid-sentence they are
followed by a lowercase word, so when a capital follows, it really is a new sentence.
"""

from __future__ import annotations

import re

# Longer "sentences" (tables flattened into text, lists without punctuation) are cut so that the
# model never silently truncates its input (CTranslate2 drops tokens beyond max_input_length).
MAX_SENTENCE_CHARS = 500

_BOUNDARY = re.compile(r"[.!?…]+[\"'»”’)\]]*\s+")
_SENTENCE_OPENERS = "\"'«„“‘([—–-"
_LEADING_PUNCTUATION = "\"'«„“‘(["
_WHITESPACE = re.compile(r"\s+")
# One or more single letters joined by dots: initials, "т.д", "т.п", "e.g", "U.S".
_INITIALS = re.compile(r"(?:[^\W\d_]\.)*[^\W\d_]")

ABBREVIATIONS = frozenset({
    # Ukrainian: street/place/title words that precede a capitalised name or a number.
    "вул", "просп", "пров", "бул", "пл", "ім", "смт", "св", "проф", "акад", "доц", "д-р", "канд",
    "ген", "полк", "підп", "лейт", "кап", "ст", "див", "напр", "рис", "табл", "гл", "розд", "пп",
    "рр", "т.зв", "пор",
    # Russian, same idea ("ул. Тверская", "им. Пушкина", "пер. Северный").
    "ул", "им", "пер", "наб", "обл", "пгт", "тов", "гр",
    # English.
    "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "gen", "col", "lt", "capt", "sgt", "gov",
    "sen", "rep", "rev", "vs", "no", "nos", "fig", "art", "p", "pp", "ch", "vol", "approx",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mt", "ft",
})


def normalize_whitespace(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


def split_sentences(text: str) -> list[str]:
    """Split text into sentences (whitespace normalised); empty or blank text gives []."""
    text = normalize_whitespace(text)
    if not text:
        return []
    sentences: list[str] = []
    start = 0
    for boundary in _BOUNDARY.finditer(text):
        if _ends_sentence(text, boundary):
            sentences.append(text[start:boundary.end()].strip())
            start = boundary.end()
    sentences.append(text[start:].strip())
    return [piece for sentence in sentences if sentence for piece in _cap_length(sentence)]


def _ends_sentence(text: str, boundary: re.Match[str]) -> bool:
    following = text[boundary.end():boundary.end() + 1]
    if not (following.isupper() or following.isdigit() or following in _SENTENCE_OPENERS):
        return False
    if boundary.group().rstrip()[0] != "." or boundary.group().startswith(".."):
        return True  # "!", "?", "…" and "..." always end a sentence before a capital
    word_before = text[:boundary.start()].rsplit(" ", 1)[-1].lstrip(_LEADING_PUNCTUATION)
    return not _is_abbreviation(word_before)


def _is_abbreviation(word: str) -> bool:
    return bool(_INITIALS.fullmatch(word)) or word.lower() in ABBREVIATIONS


def _cap_length(sentence: str, limit: int = MAX_SENTENCE_CHARS) -> list[str]:
    pieces: list[str] = []
    while len(sentence) > limit:
        cut = _best_cut(sentence, limit)
        pieces.append(sentence[:cut].strip())
        sentence = sentence[cut:].strip()
    return pieces + ([sentence] if sentence else [])


def _best_cut(sentence: str, limit: int) -> int:
    # Prefer a clause boundary, then any space, in the second half of the window; else cut hard.
    window = sentence[:limit]
    for separator in ("; ", ", ", " "):
        position = window.rfind(separator)
        if position > limit // 2:
            return position + len(separator)
    return limit
