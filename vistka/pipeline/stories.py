"""Stories stage, without a database: which story a new article joins, and which articles are related.

Online, incremental clustering in the spirit of Miranda et al. (2018), "Multilingual Clustering of
Streaming News": a story is compared through the centroids of its articles' title terms, body terms
and named entities; a new article is compared (TF-IDF cosine) with the stories that share its rarest
terms and lie close in time, and joins the best one above a threshold, or opens a new story. A
near-duplicate (MinHash LSH, duplicates.py) joins its original's story.

Every decision is a function of the set of articles in the index, not of the order they came in:
entries keep term frequencies only, and IDF weights, unit vectors and centroids are computed when a
decision needs them, from the document frequencies of that moment. So a long-lived index that is
kept up to date (grouping.py does that for each worker process) decides exactly as one built afresh
from the same articles, and any number of workers agree.

Candidate generation keeps each decision sublinear in the number of stored articles: only the
postings of the article's rarest terms are read, at most MAX_SCAN per term nearest to it in time,
and only stories inside the time window are scored. `vistka stories cluster` runs this very class on
JSON Lines; grouping.py runs it on the database.
"""

from __future__ import annotations

import heapq
import math
import sys
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import timedelta

from vistka.pipeline.duplicates import DuplicateIndex
from vistka.pipeline.storyterms import Doc, Features, dot, features_of

MAX_SCAN = 200  # postings read per term, nearest in time first
MAX_CANDIDATES = 30  # articles scored in full, those sharing the most rare-term weight
MAX_STORY_MEMBERS = 25  # a story is compared through its articles nearest in time to the new one
COMMON_DF = 0.05  # a term in more than this share of articles (and over 50) finds no candidates


@dataclass
class StoryParams:
    """The thresholds an operator tunes (docs/stories.md explains each)."""

    join_threshold: float = 0.20
    story_window: timedelta = timedelta(days=3)
    half_life: timedelta = timedelta(hours=72)
    title_weight: float = 0.30
    body_weight: float = 0.40
    entity_weight: float = 0.30
    duplicate_threshold: float = 0.35
    related_window: timedelta = timedelta(days=14)
    related_half_life: timedelta = timedelta(days=7)
    related_threshold: float = 0.08
    related_count: int = 4
    candidate_terms: int = 20

    @classmethod
    def from_options(cls, options: dict | None = None, **overrides) -> StoryParams:
        """The operator's settings (VISTKA_STORY_*, VISTKA_DUPLICATE_THRESHOLD), then any overrides."""
        options = _configured_options() if options is None else options
        values = {
            "join_threshold": options["VISTKA_STORY_JOIN_THRESHOLD"],
            "story_window": timedelta(hours=options["VISTKA_STORY_WINDOW_HOURS"]),
            "duplicate_threshold": options["VISTKA_DUPLICATE_THRESHOLD"],
        }
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**values)


def _configured_options() -> dict:
    """The options Django's settings parsed at start-up (every decision asks: no re-parsing the
    environment each time), or the environment's when Django is not set up."""
    from django.conf import settings

    from vistka.config.options import read_options

    return settings.OPTIONS if settings.configured else read_options()


@dataclass
class Decision:
    """Where an article goes and why (the `--explain` output)."""

    story: str | None  # None: open a new story
    score: float = 0.0
    duplicate_of: str | None = None
    duplicate_jaccard: float = 0.0
    reasons: list[str] = field(default_factory=list)


FIELDS = ("title", "body", "entities")
Vector = dict[str, float]


@dataclass(eq=False)
class _Entry:
    doc: Doc
    features: Features | None
    story: str = ""
    signature: object = None
    # Sublinear term frequencies per field (entity keys carry an "@"): what an article contributes,
    # independent of every other article. IDF is applied when a decision is made.
    weights: tuple[Vector, Vector, Vector] = ({}, {}, {})

    @property
    def terms(self) -> set[str]:
        title, body, names = self.weights
        return set(title) | set(body) | set(names)

    @property
    def at(self) -> float:
        return self.doc.published.timestamp()


class _Postings:
    """The articles that use one term, ordered by (publication time, id): two flat arrays, not tuples,
    because a 100,000-article window holds tens of millions of postings."""

    __slots__ = ("times", "ids")

    def __init__(self) -> None:
        self.times: array = array("d")
        self.ids: list[str] = []

    def __len__(self) -> int:
        return len(self.ids)

    def insert(self, at: float, doc_id: str) -> None:
        i = bisect_right(self.times, at)
        while i > 0 and self.times[i - 1] == at and self.ids[i - 1] > doc_id:
            i -= 1
        self.times.insert(i, at)
        self.ids.insert(i, doc_id)

    def remove(self, at: float, doc_id: str) -> None:
        i = bisect_left(self.times, at)
        while self.ids[i] != doc_id:
            i += 1
        del self.times[i], self.ids[i]

    def near(self, at: float, span: float, limit: int) -> list[str]:
        """Up to `limit` ids within `span` seconds of `at`, latest first (all of a tie at the cut)."""
        low, i = bisect_left(self.times, at - span), bisect_right(self.times, at + span)
        found: list[str] = []
        while i > low and (len(found) < limit or self.times[i - 1] == self.times[i]):
            i -= 1
            found.append(self.ids[i])
        return found


@dataclass
class _Story:
    members: dict[str, float] = field(default_factory=dict)  # id → publication time

    def gap(self, at: float) -> float:
        """Seconds between `at` and the story's span (0 inside it)."""
        first, last = min(self.members.values()), max(self.members.values())
        return 0.0 if first <= at <= last else min(abs(at - first), abs(at - last))


class StoryIndex:
    """The articles in the index, their stories, and the postings that find candidates fast."""

    def __init__(self, params: StoryParams | None = None) -> None:
        self.params = params or StoryParams()
        self.entries: dict[str, _Entry] = {}
        self.stories: dict[str, _Story] = {}
        self._postings: dict[str, _Postings] = {}
        self._duplicates = DuplicateIndex(self.params.duplicate_threshold)
        self._next_story = 0
        self._idf_base = 1.0  # log(1 + N) + 1
        self._log_df: dict[str, float] = {}  # log(1 + df) per term
        self._unit_cache: dict[str, tuple[Vector, Vector, Vector]] = {}

    # -- the stream -------------------------------------------------------------------------

    def assign(self, doc: Doc) -> Decision:
        """Decide and remember: the whole online step, as the CLI and the evaluation run it."""
        entry = self.prepare(doc)
        decision = self.decide(entry)
        self.add(entry, decision.story or self.new_story_id())
        return decision

    def prepare(self, doc: Doc, features: Features | None = None, signature: object = None,
                weights: tuple[Vector, Vector, Vector] | None = None) -> _Entry:
        """What is derived from the text alone (features, signature, or directly the weights and the
        signature) a caller may pass in from a cache."""
        if weights is not None and signature is not None:
            return _Entry(doc, None, signature=signature, weights=weights)
        entry = _Entry(doc, features or features_of(doc))
        entry.signature = signature if signature is not None else self._duplicates.signature(entry.features.words)
        f = entry.features
        entry.weights = (_sublinear(f.title), _sublinear(f.body), _sublinear(f.entities, prefix="@"))
        return entry

    def decide(self, entry: _Entry, explain: bool = True) -> Decision:
        """The story this article should join (None: a new one), without changing the index;
        `explain` adds the scores of the best candidates to the reasons."""
        duplicate = self._duplicates.find(entry.signature, allowed=lambda key: self._may_copy(entry, key))
        if duplicate is not None:
            story = self.entries[duplicate.of].story
            return Decision(story, 1.0, duplicate.of, duplicate.jaccard,
                            [f"near-duplicate of {duplicate.of} (shingle Jaccard ≈ {duplicate.jaccard:.2f})"])
        vectors = self._vectors(entry)
        parts = {story_id: self._score_parts(entry, vectors, story_id) for story_id in self._candidate_stories(entry)}
        scored = sorted(((parts[story_id][-1], story_id) for story_id in parts), key=lambda pair: (-pair[0], pair[1]))
        reasons = [f"story {story_id}: {_explain(*parts[story_id])}" for _, story_id in scored[:4]] if explain else []
        best_score, best = scored[0] if scored else (0.0, None)
        if best is not None and best_score >= self.params.join_threshold:
            head = f"joined story {best}: score {best_score:.3f} ≥ {self.params.join_threshold}"
            return Decision(best, best_score, reasons=[head, *reasons])
        head = f"new story: best score {best_score:.3f} < {self.params.join_threshold}"
        return Decision(None, best_score, reasons=[head, *reasons])

    def add(self, entry: _Entry | Doc, story: str) -> _Entry:
        """Remember an article in a story (a decision of ours, or an editor's that we must keep)."""
        if isinstance(entry, Doc):
            entry = self.prepare(entry)
        doc_id = entry.doc.id
        if doc_id in self.entries:
            self.remove(doc_id)
        entry.story = story
        # Only term weights and the signature are needed from now on; the text would cost memory.
        doc = entry.doc
        entry.doc, entry.features = Doc(doc.id, doc.title, "", doc.published, doc.source), None
        self.entries[doc_id] = entry
        self.stories.setdefault(story, _Story()).members[doc_id] = entry.at
        terms = entry.terms
        for term in terms:
            postings = self._postings.get(term)
            if postings is None:
                postings = self._postings[sys.intern(term)] = _Postings()
            postings.insert(entry.at, doc_id)
        self._duplicates.add(doc_id, entry.signature)
        self._changed(terms)
        return entry

    def remove(self, doc_id: str) -> None:
        """Forget an article (withdrawn, deleted, moved by an editor, or out of the window)."""
        entry = self.entries.pop(doc_id, None)
        if entry is None:
            return
        story = self.stories[entry.story]
        del story.members[doc_id]
        if not story.members:
            del self.stories[entry.story]
        terms = entry.terms
        for term in terms:
            postings = self._postings[term]
            postings.remove(entry.at, doc_id)
            if not postings:
                del self._postings[term]
        self._duplicates.remove(doc_id)
        self._changed(terms)

    def move(self, doc_id: str, story: str) -> None:
        """Put an article of the index into another story (its terms are unchanged)."""
        entry = self.entries[doc_id]
        if entry.story == story:
            return
        left = self.stories[entry.story]
        del left.members[doc_id]
        if not left.members:
            del self.stories[entry.story]
        entry.story = story
        self.stories.setdefault(story, _Story()).members[doc_id] = entry.at

    def new_story_id(self) -> str:
        self._next_story += 1
        while f"s{self._next_story}" in self.stories:
            self._next_story += 1
        return f"s{self._next_story}"

    # -- related posts ----------------------------------------------------------------------

    def related(self, doc_id: str, count: int | None = None) -> list[tuple[str, float]]:
        """Top articles of other stories, by similarity discounted by distance in time."""
        return self.related_to(self.entries[doc_id], count)

    def related_to(self, entry: _Entry, count: int | None = None) -> list[tuple[str, float]]:
        """related() for an article in the index or not (then `entry.story` must be set)."""
        window, half_life = self.params.related_window, self.params.related_half_life
        scored, vectors = [], self._vectors(entry)
        for other_id in self._candidate_docs(entry, window, exclude_story=entry.story):
            other = self.entries[other_id]
            gap = abs(other.doc.published - entry.doc.published)
            score = self._doc_similarity(vectors, other) * 0.5 ** (gap / half_life)
            if score >= self.params.related_threshold:
                scored.append((other_id, round(score, 4)))
        scored.sort(key=lambda pair: (-pair[1], pair[0]))
        return scored[: count or self.params.related_count]

    # -- weights ----------------------------------------------------------------------------

    def _changed(self, terms: set[str]) -> None:
        # Every vector depends on N, so cached vectors go; log(1 + df) only changed for these terms.
        self._unit_cache.clear()
        self._idf_base = math.log1p(len(self.entries)) + 1.0
        for term in terms:
            self._log_df.pop(term, None)

    def _df(self, term: str) -> int:
        postings = self._postings.get(term)
        return len(postings) if postings is not None else 0

    def _idf(self, term: str) -> float:
        """log((1 + N) / (1 + df)) + 1."""
        log_df = self._log_df.get(term)
        if log_df is None:
            log_df = self._log_df[term] = math.log1p(self._df(term))
        return self._idf_base - log_df

    def _vectors(self, entry: _Entry) -> tuple[Vector, Vector, Vector]:
        """The entry's unit TF-IDF vectors under the current document frequencies."""
        if self.entries.get(entry.doc.id) is not entry:
            return self._unit(entry.weights[0]), self._unit(entry.weights[1]), self._unit(entry.weights[2])
        vectors = self._unit_cache.get(entry.doc.id)
        if vectors is None:
            vectors = self._unit_cache[entry.doc.id] = (
                self._unit(entry.weights[0]), self._unit(entry.weights[1]), self._unit(entry.weights[2]))
        return vectors

    def _unit(self, weights: Vector) -> Vector:
        log_df = self._log_df
        logs = [log_df.get(term) for term in weights]
        if None in logs:  # terms whose document frequency changed since they were last asked about
            for term in weights:
                if term not in log_df:
                    log_df[term] = math.log1p(self._df(term))
            logs = [log_df[term] for term in weights]
        base = self._idf_base
        scaled = [weight * (base - log) for weight, log in zip(weights.values(), logs, strict=True)]
        norm = math.sqrt(sum([w * w for w in scaled]))
        return dict(zip(weights, [w / norm for w in scaled], strict=True)) if norm else {}

    # -- candidates and scores --------------------------------------------------------------

    def _may_copy(self, entry: _Entry, key: str) -> bool:
        other = self.entries.get(key)
        return (other is not None and key != entry.doc.id
                and abs(other.doc.published - entry.doc.published) <= self.params.related_window)

    def _rarest_terms(self, entry: _Entry) -> list[str]:
        common = max(50, COMMON_DF * len(self.entries))
        known = [(df, term) for term in entry.terms if 0 < (df := self._df(term)) <= common]
        known.sort()
        return [term for _, term in known[: self.params.candidate_terms]]

    def _candidate_docs(self, entry: _Entry, window: timedelta, exclude_story: str = "") -> list[str]:
        """Articles inside the window that share the most rare-term weight with this one."""
        hits: dict[str, float] = {}
        at, span, own = entry.at, window.total_seconds(), entry.doc.id
        for term in self._rarest_terms(entry):
            weight = self._idf(term)
            for other_id in self._postings[term].near(at, span, MAX_SCAN):
                if other_id != own:
                    hits[other_id] = hits.get(other_id, 0.0) + weight
        if exclude_story:
            hits = {key: n for key, n in hits.items() if self.entries[key].story != exclude_story}
        ranked = heapq.nsmallest(MAX_CANDIDATES, hits.items(), key=lambda pair: (-pair[1], pair[0]))
        return [other_id for other_id, _ in ranked]

    def _candidate_stories(self, entry: _Entry) -> set[str]:
        window = self.params.story_window.total_seconds()
        stories = {self.entries[other].story for other in self._candidate_docs(entry, self.params.story_window)}
        return {s for s in stories if self.stories[s].gap(entry.at) <= window}

    def _centroids(self, story_id: str, at: float) -> tuple[Vector, Vector, Vector]:
        """Sum of the unit vectors of the story's articles nearest in time to `at`, per field."""
        members = sorted(self.stories[story_id].members.items(), key=lambda item: (abs(item[1] - at), item[0]))
        sums: tuple[Vector, Vector, Vector] = ({}, {}, {})
        for doc_id, _ in members[:MAX_STORY_MEMBERS]:
            for total, vector in zip(sums, self._vectors(self.entries[doc_id]), strict=True):
                if not total:
                    total.update(vector)  # the first member (often the only one): a copy, at C speed
                    continue
                for term, weight in vector.items():
                    total[term] = total.get(term, 0.0) + weight
        return sums

    def _cosines(self, entry: _Entry, vectors: tuple[Vector, Vector, Vector], story_id: str) -> tuple[float, float, float]:
        cosines = []
        for vector, total in zip(vectors, self._centroids(story_id, entry.at), strict=True):
            norm = math.sqrt(sum(w * w for w in total.values()))
            cosines.append(dot(vector, total) / norm if norm else 0.0)
        return cosines[0], cosines[1], cosines[2]

    def _score_parts(self, entry: _Entry, vectors: tuple[Vector, Vector, Vector],
                     story_id: str) -> tuple[float, float, float, float, float, float]:
        """(title, body, entities cosines, gap in seconds, time decay, score) against one story;
        `vectors`: the entry's (self._vectors(entry), computed once per decision)."""
        p = self.params
        title, body, names = self._cosines(entry, vectors, story_id)
        gap = self.stories[story_id].gap(entry.at)
        decay = 0.5 ** (gap / p.half_life.total_seconds())
        return title, body, names, gap, decay, (p.title_weight * title + p.body_weight * body
                                                + p.entity_weight * names) * decay

    def _doc_similarity(self, vectors: tuple[Vector, Vector, Vector], other: _Entry) -> float:
        p = self.params
        title, body, names = (dot(x, y) for x, y in zip(vectors, self._vectors(other), strict=True))
        return p.title_weight * title + p.body_weight * body + p.entity_weight * names


def _explain(title: float, body: float, names: float, gap: float, decay: float, score: float) -> str:
    return (f"title {title:.2f}, body {body:.2f}, entities {names:.2f}, "
            f"{gap / 3600:.0f} h apart (×{decay:.2f}) = {score:.3f}")


def _sublinear(counts, prefix: str = "") -> Vector:
    """1 + log(tf): a term said ten times is not ten times as telling."""
    return {sys.intern(prefix + term): 1 + math.log(count) for term, count in counts.items()}
