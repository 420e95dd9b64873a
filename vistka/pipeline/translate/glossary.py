"""Glossary: established target-language forms of names, places, institutions and abbreviations.

Matching is on the source side, through inflected forms: "Сирського", "Сирському" and "Сирський"
all match the entry "Олександр Сирський"'s last word because pymorphy3 (with its Ukrainian
dictionary) gives them the same dictionary form. A word matches an entry word when any of their
possible dictionary forms agree, which tolerates pymorphy's guesses for unknown surnames.
Abbreviations (an all-capital entry such as "ЗСУ") match only their exact capitalised spelling, so
"оп" the interjection is not "ОП" the Office of the President.

Enforcement has two steps, chosen because they work with every engine, including ones that cannot
be told about terminology (a plain CTranslate2 model):
1. before translation the matched source words are replaced by the target form ("Кіра Стармера
   зустріли" → "Keir Starmer зустріли"); NMT models and LLMs copy Latin-script names through;
2. after translation the entry's known wrong forms ("Kir Starmer", "Kiev") are replaced by the
   target form.
What is still missing afterwards is reported by `missing()` and becomes a QA flag.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from .base import normalize_language

logger = logging.getLogger(__name__)
_WORD = re.compile(r"[^\W\d_]+(?:['’ʼ-][^\W\d_]+)*")

Lemmatizer = Callable[[str], frozenset[str]]
# Noun case endings of Ukrainian and Russian, longest first.
_CASE_ENDINGS = ("ами", "ями", "ові", "еві", "ому", "ого", "ою", "ею", "ом", "ем", "ам", "ям", "ах", "ях",
                 "а", "я", "у", "ю", "і", "и", "е", "о")


@dataclass(frozen=True)
class Term:
    source: str
    target: str
    variants: tuple[str, ...] = ()
    kind: str = "term"


@dataclass(frozen=True)
class _Pattern:
    term: Term
    words: tuple[frozenset[str], ...]  # per word: its dictionary forms, or {exact spelling} for abbreviations
    exact: bool


class Glossary:
    """The terms of one language pair, ready to match, substitute and check."""

    def __init__(self, terms: Iterable[Term], source_lang: str = "uk", lemmatizer: Lemmatizer | None = None) -> None:
        self.lemmatize = lemmatizer or lemmatizer_for(source_lang)
        self.terms = tuple(terms)
        self._by_first_word: dict[str, list[_Pattern]] = {}
        for term in self.terms:
            pattern = self._pattern(term)
            if pattern.words:
                for form in pattern.words[0]:
                    self._by_first_word.setdefault(form, []).append(pattern)
        for patterns in self._by_first_word.values():
            patterns.sort(key=lambda pattern: -len(pattern.words))  # longest entry first
        self._variant_patterns = [(re.compile(r"(?<!\w)" + re.escape(variant) + r"(?!\w)"), term.target)
                                  for term in self.terms for variant in term.variants if variant]

    def __len__(self) -> int:
        return len(self.terms)

    def find(self, text: str) -> list[tuple[int, int, Term]]:
        """Non-overlapping (start, end, term) spans of glossary terms in `text`, left to right."""
        words = [(match.start(), match.end(), match.group()) for match in _WORD.finditer(text)]
        found: list[tuple[int, int, Term]] = []
        index = 0
        while index < len(words):
            pattern = self._match_at(text, words, index)
            if pattern is None:
                index += 1
                continue
            last = index + len(pattern.words) - 1
            found.append((words[index][0], words[last][1], pattern.term))
            index = last + 1
        return found

    def prepare(self, text: str) -> str:
        """`text` with every matched term replaced by its target form (done before translation)."""
        for start, end, term in reversed(self.find(text)):
            text = text[:start] + term.target + text[end:]
        return text

    def enforce(self, translated: str) -> str:
        """Replace known wrong forms of terms by their target form (done after translation)."""
        for pattern, target in self._variant_patterns:
            translated = pattern.sub(target, translated)
        return translated

    def missing(self, source: str, translated: str) -> list[Term]:
        """Terms found in `source` whose target form is not in `translated`."""
        return list({term.target: term for _, _, term in self.find(source)
                     if not re.search(r"(?<!\w)" + re.escape(term.target) + r"(?!\w)", translated, re.IGNORECASE)
                     }.values())

    def _pattern(self, term: Term) -> _Pattern:
        words = _WORD.findall(term.source)
        exact = all(_is_abbreviation(word) for word in words)
        forms = tuple(frozenset({word}) if exact else self.lemmatize(word) for word in words)
        return _Pattern(term, forms, exact)

    def _match_at(self, text: str, words: list[tuple[int, int, str]], index: int) -> _Pattern | None:
        candidates = self._candidates(words[index][2])
        for pattern in candidates:
            end = index + len(pattern.words)
            if end > len(words):
                continue
            span = words[index:end]
            adjacent = all(not text[left[1]:right[0]].strip() for left, right in pairwise(span))
            if adjacent and all(self._word_matches(pattern, position, word)
                                for position, (_, _, word) in enumerate(span)):
                return pattern
        return None

    def _candidates(self, word: str) -> list[_Pattern]:
        keys = {word} | (self.lemmatize(word) if not _is_abbreviation(word) else set())
        seen: dict[int, _Pattern] = {}
        for key in keys:
            for pattern in self._by_first_word.get(key, ()):
                seen.setdefault(id(pattern), pattern)
        return sorted(seen.values(), key=lambda pattern: -len(pattern.words))

    def _word_matches(self, pattern: _Pattern, position: int, word: str) -> bool:
        if pattern.exact:
            return word in pattern.words[position]
        return bool(pattern.words[position] & self.lemmatize(word))


def _is_abbreviation(word: str) -> bool:
    return len(word) >= 2 and word.isupper()


def lemmatizer_for(language: str) -> Lemmatizer:
    """pymorphy3's dictionary forms for Ukrainian and Russian; lower-case spelling for other languages."""
    language = normalize_language(language)
    if language in ("uk", "ru"):
        try:
            return _pymorphy_lemmatizer(language)
        except (ImportError, ValueError) as error:  # the dictionary package is missing
            logger.warning("glossary matching without inflected forms for %s: %s", language, error)
    return _spelling


def _spelling(word: str) -> frozenset[str]:
    return frozenset({word.casefold()})


@lru_cache(maxsize=2)
def _pymorphy_lemmatizer(language: str) -> Lemmatizer:
    import pymorphy3

    analyzer = pymorphy3.MorphAnalyzer(lang=language)

    @lru_cache(maxsize=200_000)
    def lemmas(word: str) -> frozenset[str]:
        lowered = word.casefold().replace("’", "'").replace("ʼ", "'")
        parses = analyzer.parse(lowered)
        forms = {lowered} | {parse.normal_form for parse in parses}
        if word[:1].isupper() or not any(parse.is_known for parse in parses):
            # Foreign names are not in the dictionary, or are mistaken for other words ("Кіра" from
            # "Кір"): also try the word without a case ending, so "Кіра", "Кірові", "Кір" share a form.
            forms |= {lowered[:-len(ending)] for ending in _CASE_ENDINGS
                      if lowered.endswith(ending) and len(lowered) - len(ending) >= 3}
        return frozenset(forms)

    return lemmas


class GlossaryEngine:
    """Wraps an engine: glossary terms are substituted before translation and enforced after it."""

    def __init__(self, engine, glossary: Glossary) -> None:
        self.engine = engine
        self.glossary = glossary
        self.name = engine.name
        self.model_id = engine.model_id

    def translate_texts(self, texts: list[str], source_lang: str, target_lang: str) -> list[str]:
        prepared = [self.glossary.prepare(text) for text in texts]
        translated = self.engine.translate_texts(prepared, source_lang, target_lang)
        return [self.glossary.enforce(text) for text in translated]
