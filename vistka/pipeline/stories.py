"""Stories stage, without a database: which story a new article joins, and which articles are related.

Online, incremental clustering in the spirit of Miranda et al. (2018), "Multilingual Clustering of
Streaming News": every story keeps centroids of its articles' title terms, body terms and named
entities; a new article is compared (TF-IDF cosine, IDF counted over the stream so far) with the
stories that share its rarest terms and lie close in time, and joins the best one above a threshold,
or opens a new story. A near-duplicate (MinHash LSH, duplicates.py) joins its original's story.

Candidate generation keeps each decision sublinear in the number of stored articles: only the
postings of the article's rarest terms are read, newest first and at most MAX_SCAN per term, and only
stories inside the time window are scored. `vistka stories cluster` runs this very class on JSON
Lines; grouping.py runs it on the database.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from vistka.pipeline.duplicates import DuplicateIndex
from vistka.pipeline.storyterms import Doc, Features, dot, features_of, unit_vector

MAX_SCAN = 200  # postings read per term, newest first
MAX_CANDIDATES = 30  # articles scored in full, those sharing the most rare-term weight
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
        from vistka.config.options import read_options

        options = read_options() if options is None else options
        values = {
            "join_threshold": options["VISTKA_STORY_JOIN_THRESHOLD"],
            "story_window": timedelta(hours=options["VISTKA_STORY_WINDOW_HOURS"]),
            "duplicate_threshold": options["VISTKA_DUPLICATE_THRESHOLD"],
        }
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**values)


@dataclass
class Decision:
    """Where an article goes and why (the `--explain` output)."""

    story: str | None  # None: open a new story
    score: float = 0.0
    duplicate_of: str | None = None
    duplicate_jaccard: float = 0.0
    reasons: list[str] = field(default_factory=list)


FIELDS = ("title", "body", "entities")


@dataclass
class _Entry:
    doc: Doc
    features: Features | None
    story: str = ""
    signature: object = None
    vectors: tuple[dict, dict, dict] = ({}, {}, {})  # unit TF-IDF vectors, IDF as of arrival

    @property
    def terms(self) -> set[str]:
        title, body, names = self.vectors
        return set(title) | set(body) | {"@" + name for name in names}


@dataclass
class _Story:
    """A story's centroid: the sum of its articles' unit vectors, per field, and its time span."""

    sums: tuple[dict, dict, dict] = field(default_factory=lambda: ({}, {}, {}))
    norms: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])
    first: datetime | None = None
    last: datetime | None = None
    members: list[str] = field(default_factory=list)

    def absorb(self, entry: _Entry) -> None:
        for k, vector in enumerate(entry.vectors):
            total = self.sums[k]
            # |s + v|² = |s|² + 2 s·v + |v|²: keeps the norm current in O(|v|).
            squared = self.norms[k] ** 2 + 2 * dot(vector, total) + dot(vector, vector)
            for term, weight in vector.items():
                total[term] = total.get(term, 0.0) + weight
            self.norms[k] = math.sqrt(max(squared, 0.0))
        when = entry.doc.published
        self.first = when if self.first is None else min(self.first, when)
        self.last = when if self.last is None else max(self.last, when)
        self.members.append(entry.doc.id)

    def cosine(self, k: int, vector: dict) -> float:
        return dot(vector, self.sums[k]) / self.norms[k] if self.norms[k] else 0.0

    def gap(self, when: datetime) -> timedelta:
        if self.first <= when <= self.last:
            return timedelta(0)
        return min(abs(when - self.first), abs(when - self.last))


class StoryIndex:
    """All articles seen so far, their stories, and the indexes that find candidates fast."""

    def __init__(self, params: StoryParams | None = None) -> None:
        self.params = params or StoryParams()
        self.entries: dict[str, _Entry] = {}
        self.stories: dict[str, _Story] = {}
        self._postings: dict[str, list[tuple[float, str]]] = defaultdict(list)  # (published, id)
        self._df: Counter = Counter()
        self._duplicates = DuplicateIndex(self.params.duplicate_threshold)
        self._next_story = 0

    # -- the stream -------------------------------------------------------------------------

    def assign(self, doc: Doc) -> Decision:
        """Decide and remember: the whole online step, as ingest and the CLI run it."""
        entry = self.prepare(doc)
        decision = self.decide(entry)
        self.add(entry, decision.story or self.new_story_id())
        return decision

    def prepare(self, doc: Doc, features: Features | None = None, signature: object = None) -> _Entry:
        """`features` and `signature` depend on the text alone, so a caller may pass them in from a cache."""
        entry = _Entry(doc, features or features_of(doc))
        entry.signature = signature if signature is not None else self._duplicates.signature(entry.features.words)
        f = entry.features
        entry.vectors = (unit_vector(f.title, self._idf), unit_vector(f.body, self._idf),
                         unit_vector(f.entities, lambda name: self._idf("@" + name)))
        return entry

    def decide(self, entry: _Entry) -> Decision:
        """The story this article should join (None: a new one), without changing the index."""
        duplicate = self._duplicates.find(entry.signature, allowed=lambda key: key in self.entries)
        if duplicate is not None:
            story = self.entries[duplicate.of].story
            return Decision(story, 1.0, duplicate.of, duplicate.jaccard,
                            [f"near-duplicate of {duplicate.of} (shingle Jaccard ≈ {duplicate.jaccard:.2f})"])
        scored = sorted(((self._story_score(entry, story_id), story_id)
                         for story_id in self._candidate_stories(entry)), reverse=True)
        reasons = [f"story {story_id}: {self._explain(entry, story_id)}" for _, story_id in scored[:4]]
        best_score, best = scored[0] if scored else (0.0, None)
        if best is not None and best_score >= self.params.join_threshold:
            head = f"joined story {best}: score {best_score:.3f} ≥ {self.params.join_threshold}"
            return Decision(best, best_score, reasons=[head, *reasons])
        head = f"new story: best score {best_score:.3f} < {self.params.join_threshold}"
        return Decision(None, best_score, reasons=[head, *reasons])

    def add(self, entry: _Entry | Doc, story: str) -> None:
        """Remember an article in a story (a decision of ours, or an editor's that we must keep)."""
        if isinstance(entry, Doc):
            entry = self.prepare(entry)
        entry.story = story
        # Only the vectors and the signature are needed from now on; the text would cost memory.
        doc = entry.doc
        entry.doc, entry.features = Doc(doc.id, doc.title, "", doc.published, doc.source), None
        self.entries[entry.doc.id] = entry
        self.stories.setdefault(story, _Story()).absorb(entry)
        for term in entry.terms:
            self._df[term] += 1
            self._postings[term].append((entry.doc.published.timestamp(), entry.doc.id))
        self._duplicates.add(entry.doc.id, entry.signature)

    def new_story_id(self) -> str:
        self._next_story += 1
        while f"s{self._next_story}" in self.stories:
            self._next_story += 1
        return f"s{self._next_story}"

    # -- related posts ----------------------------------------------------------------------

    def related(self, doc_id: str, count: int | None = None) -> list[tuple[str, float]]:
        """Top articles of other stories, by similarity discounted by distance in time."""
        entry = self.entries[doc_id]
        window, half_life = self.params.related_window, self.params.related_half_life
        scored = []
        for other_id in self._candidate_docs(entry, window, exclude_story=entry.story):
            other = self.entries[other_id]
            gap = abs(other.doc.published - entry.doc.published)
            score = self._doc_similarity(entry, other) * 0.5 ** (gap / half_life)
            if score >= self.params.related_threshold:
                scored.append((other_id, round(score, 4)))
        scored.sort(key=lambda pair: (-pair[1], pair[0]))
        return scored[: count or self.params.related_count]

    # -- candidates and scores --------------------------------------------------------------

    def _idf(self, term: str) -> float:
        return math.log((1 + len(self.entries)) / (1 + self._df[term])) + 1.0

    def _rarest_terms(self, entry: _Entry) -> list[str]:
        common = max(50, COMMON_DF * len(self.entries))
        known = [term for term in entry.terms if 0 < self._df[term] <= common]
        known.sort(key=lambda term: (self._df[term], term))
        return known[: self.params.candidate_terms]

    def _candidate_docs(self, entry: _Entry, window: timedelta, exclude_story: str = "") -> list[str]:
        """Articles inside the window that share the most rare-term weight with this one."""
        hits: Counter = Counter()
        when, span, own = entry.doc.published.timestamp(), window.total_seconds(), entry.doc.id
        for term in self._rarest_terms(entry):
            weight = self._idf(term)
            for published, other_id in reversed(self._postings[term][-MAX_SCAN:]):
                if abs(published - when) <= span and other_id != own:
                    hits[other_id] += weight
        if exclude_story:
            hits = Counter({key: n for key, n in hits.items() if self.entries[key].story != exclude_story})
        return [other_id for other_id, _ in hits.most_common(MAX_CANDIDATES)]

    def _candidate_stories(self, entry: _Entry) -> set[str]:
        window = self.params.story_window
        stories = {self.entries[other].story for other in self._candidate_docs(entry, window)}
        return {s for s in stories if self.stories[s].gap(entry.doc.published) <= window}

    def _story_score(self, entry: _Entry, story_id: str) -> float:
        story, p = self.stories[story_id], self.params
        title, body, names = (story.cosine(k, entry.vectors[k]) for k in range(3))
        decay = 0.5 ** (story.gap(entry.doc.published) / p.half_life)
        return (p.title_weight * title + p.body_weight * body + p.entity_weight * names) * decay

    def _explain(self, entry: _Entry, story_id: str) -> str:
        story = self.stories[story_id]
        title, body, names = (story.cosine(k, entry.vectors[k]) for k in range(3))
        gap = story.gap(entry.doc.published)
        return (f"title {title:.2f}, body {body:.2f}, entities {names:.2f}, "
                f"{gap.total_seconds() / 3600:.0f} h apart (×{0.5 ** (gap / self.params.half_life):.2f}) "
                f"= {self._story_score(entry, story_id):.3f}")

    def _doc_similarity(self, a: _Entry, b: _Entry) -> float:
        p = self.params
        title, body, names = (dot(a.vectors[k], b.vectors[k]) for k in range(3))
        return p.title_weight * title + p.body_weight * body + p.entity_weight * names
