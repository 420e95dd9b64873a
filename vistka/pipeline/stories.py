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
from vistka.pipeline.storyterms import Doc, Features, features_of

MAX_SCAN = 400  # postings read per term, newest first


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
    candidate_terms: int = 40

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


@dataclass
class _Entry:
    doc: Doc
    features: Features
    story: str = ""
    signature: object = None

    @property
    def terms(self) -> set[str]:
        return set(self.features.title) | set(self.features.body) | {"@" + e for e in self.features.entities}


@dataclass
class _Story:
    title: Counter = field(default_factory=Counter)
    body: Counter = field(default_factory=Counter)
    entities: Counter = field(default_factory=Counter)
    first: datetime | None = None
    last: datetime | None = None
    members: list[str] = field(default_factory=list)

    def absorb(self, entry: _Entry) -> None:
        for mine, theirs in ((self.title, entry.features.title), (self.body, entry.features.body),
                             (self.entities, entry.features.entities)):
            for term, count in theirs.items():
                mine[term] += 1 + math.log(count)
        when = entry.doc.published
        self.first = when if self.first is None else min(self.first, when)
        self.last = when if self.last is None else max(self.last, when)
        self.members.append(entry.doc.id)

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
        self._postings: dict[str, list[str]] = defaultdict(list)
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

    def prepare(self, doc: Doc) -> _Entry:
        entry = _Entry(doc, features_of(doc))
        entry.signature = self._duplicates.signature(entry.features.words)
        return entry

    def decide(self, entry: _Entry) -> Decision:
        """The story this article should join (None: a new one), without changing the index."""
        duplicate = self._duplicates.find(entry.signature, allowed=lambda key: key in self.entries)
        if duplicate is not None:
            story = self.entries[duplicate.of].story
            return Decision(story, 1.0, duplicate.of, duplicate.jaccard,
                            [f"near-duplicate of {duplicate.of} (shingle Jaccard ≈ {duplicate.jaccard:.2f})"])
        best, best_score, reasons = None, 0.0, []
        for story_id in self._candidate_stories(entry):
            score, why = self._story_score(entry, story_id)
            reasons.append(f"story {story_id}: {why}")
            if score > best_score:
                best, best_score = story_id, score
        reasons.sort(key=lambda line: -float(line.rsplit("= ", 1)[-1]))
        if best is not None and best_score >= self.params.join_threshold:
            reasons.insert(0, f"joined story {best}: score {best_score:.3f} ≥ {self.params.join_threshold}")
            return Decision(best, best_score, reasons=reasons[:5])
        head = f"new story: best score {best_score:.3f} < {self.params.join_threshold}"
        return Decision(None, best_score, reasons=[head, *reasons[:4]])

    def add(self, entry: _Entry | Doc, story: str) -> None:
        """Remember an article in a story (a decision of ours, or an editor's that we must keep)."""
        if isinstance(entry, Doc):
            entry = self.prepare(entry)
        entry.story = story
        self.entries[entry.doc.id] = entry
        self.stories.setdefault(story, _Story()).absorb(entry)
        for term in entry.terms:
            self._df[term] += 1
            self._postings[term].append(entry.doc.id)
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
        for other_id in self._candidate_docs(entry, window):
            other = self.entries[other_id]
            if other_id == doc_id or other.story == entry.story:
                continue
            gap = abs(other.doc.published - entry.doc.published)
            score = self._doc_similarity(entry, other) * 0.5 ** (gap / half_life)
            if score >= self.params.related_threshold:
                scored.append((other_id, round(score, 4)))
        scored.sort(key=lambda pair: (-pair[1], pair[0]))
        return scored[: count or self.params.related_count]

    # -- scoring ----------------------------------------------------------------------------

    def _idf(self, term: str) -> float:
        return math.log((1 + len(self.entries)) / (1 + self._df[term])) + 1.0

    def _rarest_terms(self, entry: _Entry) -> list[str]:
        known = [term for term in entry.terms if self._df[term]]
        known.sort(key=lambda term: (self._df[term], term))
        return known[: self.params.candidate_terms]

    def _candidate_docs(self, entry: _Entry, window: timedelta) -> set[str]:
        found: set[str] = set()
        when = entry.doc.published
        for term in self._rarest_terms(entry):
            for other_id in reversed(self._postings[term][-MAX_SCAN:]):
                if abs(self.entries[other_id].doc.published - when) <= window:
                    found.add(other_id)
        return found

    def _candidate_stories(self, entry: _Entry) -> set[str]:
        window = self.params.story_window
        stories = {self.entries[other].story for other in self._candidate_docs(entry, window)}
        return {s for s in stories if self.stories[s].gap(entry.doc.published) <= window}

    def _story_score(self, entry: _Entry, story_id: str) -> tuple[float, str]:
        story, f, p = self.stories[story_id], entry.features, self.params
        title = self._cosine(f.title, story.title, "")
        body = self._cosine(f.body, story.body, "")
        names = self._cosine(f.entities, story.entities, "@")
        gap = story.gap(entry.doc.published)
        decay = 0.5 ** (gap / p.half_life)
        score = (p.title_weight * title + p.body_weight * body + p.entity_weight * names) * decay
        hours = gap.total_seconds() / 3600
        why = (f"title {title:.2f}, body {body:.2f}, entities {names:.2f}, {hours:.0f} h apart "
               f"(×{decay:.2f}) = {score:.3f}")
        return score, why

    def _doc_similarity(self, a: _Entry, b: _Entry) -> float:
        p, fa, fb = self.params, a.features, b.features
        return (p.title_weight * self._cosine(fa.title, _sublinear(fb.title), "")
                + p.body_weight * self._cosine(fa.body, _sublinear(fb.body), "")
                + p.entity_weight * self._cosine(fa.entities, _sublinear(fb.entities), "@"))

    def _cosine(self, mine: Counter, theirs: Counter, prefix: str) -> float:
        """TF-IDF cosine; `theirs` holds weights already made sublinear (one article's, or a centroid's sum)."""
        if not mine or not theirs:
            return 0.0
        idf = {term: self._idf(prefix + term) for term in mine.keys() | theirs.keys()}
        a = {t: (1 + math.log(c)) * idf[t] for t, c in mine.items()}
        b = {t: c * idf[t] for t, c in theirs.items()}
        dot = sum(w * b[t] for t, w in a.items() if t in b)
        if not dot:
            return 0.0
        return dot / (math.sqrt(sum(w * w for w in a.values())) * math.sqrt(sum(w * w for w in b.values())))


def _sublinear(counts: Counter) -> Counter:
    return Counter({term: 1 + math.log(count) for term, count in counts.items()})
