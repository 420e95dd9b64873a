"""What the stories stage compares: content terms, named entities and word shingles of one article.

Plain functions over text in one language (the site language). Terms are crudely stemmed by
truncation so that inflected forms meet (Zelensky/Zelensky's, Зеленський/Зеленського); entities are
capitalised words that do not open a sentence, plus numbers, which survive translation best.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from django.utils.html import strip_tags

STEM_LENGTH = 6
SHINGLE_SIZE = 3

_WORD = re.compile(r"[^\W_]+(?:['’][^\W\d_]+)?", re.UNICODE)
_SENTENCES = re.compile(r"[.!?:;«»\"“”()]+\s*")
STOPWORDS = frozenset(
    "the and for with that this from was were are has have had not but his her its their they them "
    "who which what when where also said says will would could should been being into over after "
    "about than then there these those while during between against under more most other some such "
    "only own same very can may one two three new year years told according reported him she he it "
    "our out all any did does just make made including per cent its via been how why now still "
    "що про для які яка який його її але так також через після від при під між ще вже було були "
    "буде має мали може якщо щоб цей цього ця цієї ці тих там тут він вона вони це як на та до не"
    .split()
)
# Sentence openers and calendar words are capitalised without being names.
NOT_ENTITIES = frozenset(
    "the a an in on at on by for to of as it this that these he she they we i but and or after "
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june "
    "july august september october november december mr mrs ms".split()
)


# "the 3100 block", "12 Main street": a number and the noun of an address
_PLACE_NOUNS = frozenset("block street avenue road drive lane вулиця вул вулиці улица ул".split())
# " - KAIT Jonesboro, AR - Region 8 News", " | Reuters", " :: WRAL.com": the site's name beside the title
_TITLE_PARTS = re.compile(r"\s+(?:[-–—|]|::)\s+")


def title_core(title: str) -> str:
    """The title without the site name a crawler's page title carries: its longest part between
    " - ", " | " or " :: ", when that part has four words or more (else the whole title)."""
    parts = _TITLE_PARTS.split(title)
    longest = max(parts, key=len)
    return longest if len(parts) > 1 and len(longest.split()) >= 4 else title


@dataclass(slots=True)
class Doc:
    """One article as the stories stage sees it, already in the site language."""

    id: str
    title: str
    text: str
    published: datetime
    source: str = ""
    lead: str = ""
    lang: str = ""
    # The original text when the fields above are a (machine) translation: event days and ages are
    # read from it too, since dates and numbers survive where a weak translation garbles them.
    original: str = ""


@dataclass
class Features:
    title: Counter = field(default_factory=Counter)
    body: Counter = field(default_factory=Counter)
    entities: Counter = field(default_factory=Counter)
    words: list[str] = field(default_factory=list)


def stem(word: str) -> str:
    return word[:STEM_LENGTH]


def words_of(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


# Scripts written without spaces between words: a "word" there is a whole clause, so they are
# compared by overlapping character pairs (the usual n-gram answer for CJK retrieval).
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")


def content_terms(text: str, lang: str = "") -> Counter:
    """Words that carry meaning: no stopwords, no one- or two-letter words; in Ukrainian and Russian
    their dictionary form (pymorphy3), elsewhere a 6-letter stem; character pairs in scripts
    written without spaces (Japanese, Chinese, Thai)."""
    terms: Counter = Counter()
    base = _lemma_of(lang)
    for word in words_of(text):
        if _UNSPACED.search(word):
            terms.update(word[i:i + 2] for i in range(max(1, len(word) - 1)))
        elif len(word) > 2 and word not in STOPWORDS and not word.isdigit():
            terms[base(word)] += 1
    return terms


def _lemma_of(lang: str):
    """The word's dictionary form for Ukrainian and Russian (cached), else its stem."""
    if (lang or "")[:2].lower() not in ("uk", "ru"):
        return stem
    lemmas = _morphology((lang or "")[:2].lower())
    return lemmas if lemmas is not None else stem


@lru_cache(maxsize=2)
def _morphology(lang: str):
    try:
        import pymorphy3

        analyzer = pymorphy3.MorphAnalyzer(lang=lang)
    except (ImportError, ValueError):  # the dictionary package is missing: stems still work
        return None

    @lru_cache(maxsize=200_000)
    def lemma(word: str) -> str:
        return stem(analyzer.parse(word)[0].normal_form)

    return lemma


def entities_of(text: str) -> Counter:
    """Names and numbers: capitalised words (a sentence opener only when the text also uses it
    mid-sentence, since "Macron said" and "The talks" look alike), numbers of two or more digits,
    and names of two words ("District Heights", "Orleans Avenue", "3100 block"), which tell one
    place or person from another far better than either word alone."""
    found: Counter = Counter()
    openers: Counter = Counter()
    for sentence in _SENTENCES.split(text):
        previous = ""
        for position, word in enumerate(_WORD.findall(sentence)):
            key = ""
            if word.isdigit():
                if len(word) >= 2:
                    found[word] += 1
                    key = word
            elif word[0].isupper() and word.lower() not in NOT_ENTITIES:
                key = _entity_key(word)
                (openers if position == 0 else found)[key] += 1
            elif previous.isdigit() and word.lower() in _PLACE_NOUNS:
                key = word.lower()
            if key and previous and not (previous.isdigit() and key.isdigit()):
                found[f"{previous}_{key}"] += 1
            previous = key
    for key, count in openers.items():
        if key in found:
            found[key] += count
    return found


def _entity_key(word: str) -> str:
    """The stem of the word before any apostrophe ("Zelensky's" → "zelens")."""
    return stem(word.lower().split("'", 1)[0].split("’", 1)[0])


def features_of(doc: Doc) -> Features:
    text = strip_tags(doc.text) if "<" in doc.text else doc.text
    body = f"{doc.lead} {text}".strip()
    title = title_core(doc.title)
    return Features(
        title=content_terms(title, doc.lang),
        body=content_terms(body, doc.lang),
        entities=entities_of(f"{title}. {body}"),
        words=words_of(f"{doc.title} {body}"),
    )


def dot(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b[t] for t, w in a.items() if t in b)


def shingles_of(words: list[str], size: int = SHINGLE_SIZE) -> set[str]:
    """Overlapping word n-grams; copies and light rewrites of one text share most of them."""
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + size]) for i in range(len(words) - size + 1)}


# -- distinguishing evidence: when the event happened, and who it happened to ---------------------
# Two reports of look-alike events (a shooting, a drone strike) share most of their words; what tells
# them apart is the day of the event, the victims' ages, the place. Days and ages are read here;
# places and names are the entities above.

_WEEKDAYS = {
    # English, Ukrainian and Russian weekday names (stems: "у понеділок", "в понедельник", "у п'ятницю")
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
    "понеділ": 0, "вівтор": 1, "середу": 2, "середа": 2, "четвер": 3, "п'ятниц": 4, "субот": 5, "неділ": 6,
    "понедельн": 0, "вторник": 1, "среду": 2, "среда": 2, "четверг": 3, "пятниц": 4, "суббот": 5,
    "воскресен": 6,
}
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12, "january": 1, "february": 2, "march": 3, "april": 4, "june": 6,
    "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "січн": 1, "лют": 2, "березн": 3, "квітн": 4, "травн": 5, "червн": 6, "липн": 7, "серпн": 8,
    "вересн": 9, "жовтн": 10, "листопад": 11, "грудн": 12,
    "январ": 1, "феврал": 2, "март": 3, "апрел": 4, "мая": 5, "май": 5, "июн": 6, "июл": 7, "август": 8,
    "сентябр": 9, "октябр": 10, "ноябр": 11, "декабр": 12,
}
_RELATIVE_DAYS = {"today": 0, "tonight": 0, "yesterday": -1, "сьогодні": 0, "вчора": -1, "учора": -1,
                  "сегодня": 0, "вчера": -1}
_MONTH_NAME = r"([A-Za-zА-Яа-яІіЇїЄєҐґ']{3,10})\.?"
_MONTH_DAY = re.compile(rf"\b{_MONTH_NAME}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?![-\d%]|\s*(?:%|year|people))")
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_NAME}")
_AGE = re.compile(r"\b(\d{1,3})[- ]year[- ]old\b|\b[A-Z][a-z]+,\s(\d{1,2}),|\b(\d{1,3})[- ]?(?:річн|летн)", re.UNICODE)
# A copyright notice ("© 2014 CBS Radio Inc.", "Copyright 2013 WNEM (Meredith Corporation). All rights
# reserved."): the same names under every article of a group of outlets, up to the end of its line.
_NOTICE = re.compile(r"(?:©|\bcopyright\b|\ball rights reserved\b)[^\n]*", re.IGNORECASE)
EVIDENCE_CHARS = 1500  # the event is told in the first paragraphs; later ones recall other events


@dataclass(frozen=True, slots=True)
class Evidence:
    """Event days (proleptic ordinals, from dates and weekdays mentioned near the top, resolved
    against the publication date) and people's ages mentioned; empty when the text names none."""

    days: frozenset = frozenset()
    ages: frozenset = frozenset()
    # Two-word names and addresses told near the top ("@kevin_barbee", "@lebano_pike"): who and
    # where the event happened to. Not the foot of the page, where copyright lines and staff names recur
    # in every article of an outlet.
    names: frozenset = frozenset()


NO_EVIDENCE = Evidence()


# Inflected Ukrainian and Russian forms are matched by their stems; an ASCII word starts with none of
# them (every word of an article is looked up: the stems are not tried for English words).
_MONTH_STEMS = tuple((stem_, month) for stem_, month in _MONTHS.items() if len(stem_) >= 3 and not stem_.isascii())
_WEEKDAY_STEMS = tuple((stem_, day) for stem_, day in _WEEKDAYS.items() if not stem_.isascii())
# The same stems, tried in the same order by one regular expression: every word of every article is
# asked, and a Cyrillic word would otherwise try every stem in Python.
_WEEKDAY_STEM = re.compile("|".join(re.escape(stem_) for stem_, _ in _WEEKDAY_STEMS))


def _month_of(word: str) -> int | None:
    word = word.lower()
    if word in _MONTHS:
        return _MONTHS[word]
    if not word.isascii():
        for stem_, month in _MONTH_STEMS:
            if word.startswith(stem_):
                return month
    return None


def _weekday_of(word: str) -> int | None:
    word = word.lower().replace("’", "'")
    if word in _WEEKDAYS:
        return _WEEKDAYS[word]
    if not word.isascii():
        found = _WEEKDAY_STEM.match(word)
        if found:
            return _WEEKDAYS[found.group()]
    return None


def event_days(text: str, published: datetime) -> frozenset[int]:
    """The days a text says its events happened: "on Monday", "Nov. 2", "31 січня", "yesterday",
    each resolved to the latest such day on or before publication (a week's slack for dates)."""
    today = published.date()
    days = set()
    for word in _WORD.findall(text):
        lowered = word.lower()
        if lowered in _RELATIVE_DAYS:
            days.add(today.toordinal() + _RELATIVE_DAYS[lowered])
        elif (weekday := _weekday_of(word)) is not None:
            days.add(today.toordinal() - (today.weekday() - weekday) % 7)
    for match in _MONTH_DAY.finditer(text):
        _add_date(days, _month_of(match.group(1)), match.group(2), today)
    for match in _DAY_MONTH.finditer(text):
        _add_date(days, _month_of(match.group(2)), match.group(1), today)
    return frozenset(days)


def _add_date(days: set, month: int | None, day: str, today) -> None:
    if month is None or not 1 <= int(day) <= 31:
        return
    for year in (today.year, today.year - 1):
        try:
            when = today.replace(year=year, month=month, day=int(day))
        except ValueError:
            return
        if (when - today).days <= 7:  # a date after publication is a plan, or last year's
            days.add(when.toordinal())
            return


def ages_of(text: str) -> frozenset[int]:
    return frozenset(int(next(g for g in match.groups() if g)) for match in _AGE.finditer(text))


def evidence_of(doc: Doc) -> Evidence:
    text = strip_tags(doc.text) if "<" in doc.text else doc.text
    top = f"{doc.title}. {doc.lead} {text}"[:EVIDENCE_CHARS]
    if doc.original:
        top = f"{top}\n{doc.original[:EVIDENCE_CHARS]}"
    # (Notices removed before the cut, so that they take none of its length; a few cuts' worth of
    # text is read, not a whole long page.)
    told = _NOTICE.sub(" ", f"{title_core(doc.title)}. {doc.lead} {text}"[:4 * EVIDENCE_CHARS])[:EVIDENCE_CHARS]
    names = frozenset("@" + key for key in entities_of(told) if "_" in key)
    return Evidence(event_days(top, doc.published), ages_of(top), names)
