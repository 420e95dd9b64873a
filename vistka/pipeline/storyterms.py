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


@dataclass
class Doc:
    """One article as the stories stage sees it, already in the site language."""

    id: str
    title: str
    text: str
    published: datetime
    source: str = ""
    lead: str = ""
    lang: str = ""


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


def content_terms(text: str) -> Counter:
    """Stemmed words that carry meaning: no stopwords, no one- or two-letter words."""
    return Counter(stem(w) for w in words_of(text) if len(w) > 2 and w not in STOPWORDS and not w.isdigit())


def entities_of(text: str) -> Counter:
    """Names and numbers: capitalised words (a sentence opener only when the text also uses it
    mid-sentence, since "Macron said" and "The talks" look alike) and numbers of two or more digits."""
    found: Counter = Counter()
    openers: Counter = Counter()
    for sentence in _SENTENCES.split(text):
        for position, word in enumerate(_WORD.findall(sentence)):
            if word.isdigit():
                if len(word) >= 2:
                    found[word] += 1
            elif word[0].isupper() and word.lower() not in NOT_ENTITIES:
                (openers if position == 0 else found)[_entity_key(word)] += 1
    for key, count in openers.items():
        if key in found:
            found[key] += count
    return found


def _entity_key(word: str) -> str:
    return stem(re.split("['’]", word.lower())[0])


def features_of(doc: Doc) -> Features:
    text = strip_tags(doc.text) if "<" in doc.text else doc.text
    body = f"{doc.lead} {text}".strip()
    return Features(
        title=content_terms(doc.title),
        body=content_terms(body),
        entities=entities_of(f"{doc.title}. {body}"),
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
