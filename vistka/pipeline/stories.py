"""Stories stage: which story a new article belongs to, and which articles are related to it.

Similarity is the overlap of weighted content terms (title terms count double) between articles
published within a few days of each other, compared in the site language.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

STORY_WINDOW = timedelta(days=3)
RELATED_WINDOW = timedelta(days=14)
JOIN_THRESHOLD = 0.32
RELATED_THRESHOLD = 0.05
RELATED_COUNT = 4
RELATED_MINIMUM = 3  # the page always offers this many, filling with recent ones from other stories

_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
STOPWORDS = set(
    "the and for with that this from was were are has have had not but his her its their they them "
    "who which what when where also said says will would could should been being into over after "
    "about than then there these those while during between against under more most other some such "
    "only own same very can may one two three new year years told according reported "
    "що про для які яка який які його її але так також через після від при під між ще вже було були "
    "буде має мали може якщо щоб цей цього ця цієї ці тих там тут".split()
)


@dataclass
class Terms:
    weights: Counter


def terms_of(title: str, text: str) -> Terms:
    """Content terms, crudely stemmed to 6 letters so inflected forms meet (Зеленський/Зеленського)."""
    weights: Counter = Counter()
    for word in _WORD.findall(text.lower()):
        if word not in STOPWORDS:
            weights[word[:6]] += 1
    for word in _WORD.findall(title.lower()):
        if word not in STOPWORDS:
            weights[word[:6]] += 3
    return Terms(weights)


def similarity(a: Terms, b: Terms) -> float:
    """Cosine similarity of sublinear term weights."""
    if not a.weights or not b.weights:
        return 0.0
    shared = a.weights.keys() & b.weights.keys()
    dot = sum((1 + math.log(a.weights[t])) * (1 + math.log(b.weights[t])) for t in shared)
    norm_a = math.sqrt(sum((1 + math.log(w)) ** 2 for w in a.weights.values()))
    norm_b = math.sqrt(sum((1 + math.log(w)) ** 2 for w in b.weights.values()))
    return dot / (norm_a * norm_b)
