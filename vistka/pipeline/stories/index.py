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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np

from vistka.pipeline.stories.duplicates import DuplicateIndex
from vistka.pipeline.stories.terms import Doc, Evidence, Features, evidence_of, features_of

MAX_SCAN = 200  # postings read per term, nearest in time first
MAX_CANDIDATES = 30  # articles scored in full, those sharing the most rare-term weight
MAX_STORY_MEMBERS = 25  # a story is compared through its articles nearest in time to the new one
COMMON_DF = 0.05  # a term in more than this share of articles (and over 50) finds no candidates
RARE_SHARE = 0.001  # a name at most this share of the articles use (one in a thousand) is rare evidence
RARE_ENOUGH = 5  # shared rare names that count in full
RARE_WAIVES = 8  # shared rare names that outweigh other event days and ages
DAY_SLACK = 0  # event days this far apart still agree
NAME_RARE = 50  # a distinctive name: at most this many articles (or RARE_SHARE of them) use it
WORD_STORIES = 3  # ... and one of its words is used by the articles of at most this many stories


@dataclass
class StoryParams:
    """The thresholds an operator tunes (docs/stories.md explains each)."""

    join_threshold: float = 0.15
    story_window: timedelta = timedelta(days=14)
    half_life: timedelta = timedelta(hours=120)
    title_weight: float = 0.30
    body_weight: float = 0.40
    entity_weight: float = 0.30
    duplicate_threshold: float = 0.35
    related_window: timedelta = timedelta(days=14)
    related_half_life: timedelta = timedelta(days=7)
    related_threshold: float = 0.08
    related_count: int = 4
    candidate_terms: int = 20
    # Distinguishing evidence (docs/stories.md): a story whose articles name other event days (none
    # within a day of this article's), or only other ages, is most likely a look-alike event.
    day_conflict: float = 0.3
    age_conflict: float = 0.6
    # Names and numbers only a handful of articles share (a street, a victim's name, "3100 block")
    # tell one event from its look-alikes better than any common word: up to this much is added;
    # an article with many such names, none of them the story's, is most likely a look-alike.
    rare_weight: float = 0.25
    rare_conflict: float = 0.5
    # Follow-ups (arrests, trials, sentencing, funerals) come weeks or months after the first
    # reports, out of the story window, and share what no look-alike shares: the victims' and
    # suspects' full names, the street address. An article that joins no story in the window joins
    # the story of the index with which it shares at least `name_join` distinctive names (told by
    # another outlet, no word in common) within `name_horizon`.
    name_horizon: timedelta = timedelta(days=365)
    name_join: int = 2
    # Below this many articles in the index nothing is rare enough to tell: in a small index
    # "Donald Trump" is one story's name.
    name_min_articles: int = 1000

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
Arrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


@dataclass(eq=False)
class _Entry:
    doc: Doc
    features: Features | None
    story: str = ""
    signature: object = None
    # Sublinear term frequencies per field (entity keys carry an "@"): what an article contributes,
    # independent of every other article. IDF is applied when a decision is made.
    weights: tuple[Vector, Vector, Vector] = ({}, {}, {})
    arrays: Arrays | None = None  # the weights as (term ids, values) per field, once in an index
    evidence: Evidence = Evidence()

    @property
    def terms(self) -> set[str]:
        title, body, names = self.weights
        return set(title) | set(body) | set(names)

    @property
    def at(self) -> float:
        return self.doc.published.timestamp()


class _FrozenVector(Mapping):
    """A term-weight vector as an indexed entry keeps it: its terms in a tuple, its weights in an array
    (16 bytes a term, against ~70 for a dict of floats: a warm index holds ~17,000 articles). Read
    like the dict it was made from, in the same order."""

    __slots__ = ("_terms", "_weights")

    def __init__(self, vector: Mapping[str, float]) -> None:
        self._terms = tuple(vector)
        self._weights = array("d", vector.values())

    def __getitem__(self, term: str) -> float:
        try:
            return self._weights[self._terms.index(term)]
        except ValueError:
            raise KeyError(term) from None

    def __iter__(self):
        return iter(self._terms)

    def __len__(self) -> int:
        return len(self._terms)

    def values(self):
        return self._weights

    def items(self):
        return zip(self._terms, self._weights, strict=True)


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
        self._term_ids: dict[str, int] = {}
        self._df = np.zeros(1024, dtype=np.int64)  # articles holding each term, by term id
        self._log1p = np.zeros(0)  # log(1 + k) for k = 0, 1, ...: math.log1p's values (see _idf_values)

    # -- the stream -------------------------------------------------------------------------

    def assign(self, doc: Doc) -> Decision:
        """Decide and remember: the whole online step, as the CLI and the evaluation run it."""
        entry = self.prepare(doc)
        decision = self.decide(entry)
        self.add(entry, decision.story or self.new_story_id())
        return decision

    def prepare(self, doc: Doc, features: Features | None = None, signature: object = None,
                weights: tuple[Vector, Vector, Vector] | None = None, evidence: Evidence | None = None) -> _Entry:
        """What is derived from the text alone (features, signature, or directly the weights, the
        signature and the evidence) a caller may pass in from a cache."""
        if weights is not None and signature is not None and evidence is not None:
            return _Entry(doc, None, signature=signature, weights=weights, evidence=evidence)
        entry = _Entry(doc, features or features_of(doc), evidence=evidence_of(doc))
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
        parts = self._score_stories(entry, sorted(self._candidate_stories(entry)))
        scored = sorted(((parts[story_id][-1], story_id) for story_id in parts), key=lambda pair: (-pair[0], pair[1]))
        reasons = [f"story {story_id}: {_explain(*parts[story_id])}" for _, story_id in scored[:4]] if explain else []
        best_score, best = scored[0] if scored else (0.0, None)
        if best is not None and best_score >= self.params.join_threshold:
            head = f"joined story {best}: score {best_score:.3f} ≥ {self.params.join_threshold}"
            return Decision(best, best_score, reasons=[head, *reasons])
        named = self._named_story(entry)
        if named is not None:
            story, names, gap = named
            head = (f"joined story {story}: shares the names {', '.join(sorted(names))} "
                    f"({gap / 86400:.0f} days apart; best window score {best_score:.3f})")
            return Decision(story, best_score, reasons=[head, *reasons])
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
        # Held for as long as the article stays in the window: the weights in a compact layout.
        entry.weights = tuple(_FrozenVector(vector) for vector in entry.weights)
        self.entries[doc_id] = entry
        self.stories.setdefault(story, _Story()).members[doc_id] = entry.at
        terms, at = entry.terms, entry.at  # `at` once: a datetime conversion per call
        for term in terms:
            postings = self._postings.get(term)
            if postings is None:
                postings = self._postings[sys.intern(term)] = _Postings()
            postings.insert(at, doc_id)
        ids = self._ids_of(terms, register=True)  # may grow self._df: before indexing it
        self._df[ids] += 1
        entry.arrays = self._arrays(entry.weights)
        self._duplicates.add(doc_id, entry.signature)
        self._changed()
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
        terms, at = entry.terms, entry.at
        for term in terms:
            postings = self._postings[term]
            postings.remove(at, doc_id)
            if not postings:
                del self._postings[term]
        self._df[self._ids_of(terms)] -= 1
        self._duplicates.remove(doc_id)
        self._changed()

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

    def redecide(self, entries: list[_Entry]) -> list[Decision]:
        """Decide these articles again, in the order given (publication order), each with only the
        articles before it: they all leave the index, then come back one by one. What the rest of
        the index holds is fixed context."""
        for entry in entries:
            self.remove(entry.doc.id)
        decisions = []
        for entry in entries:
            decision = self.decide(entry, explain=False)
            self.add(entry, decision.story or self.new_story_id())
            decisions.append(decision)
        return decisions

    def settle(self, arrived: Iterable[str], locked: Callable[[str], bool] = lambda doc_id: False) -> list[str]:
        """After a batch arrived, in whatever order: decide again, in publication order (ties by id),
        every article published at or after the earliest of the batch, except `locked` ones (an
        editor's). Articles published before it were decided without any of the batch, as in a
        publication-order pass, so the stories end as one pass in publication order would leave
        them, whatever the arrival order. Returns the ids decided again, in that order."""
        times = [self.entries[doc_id].at for doc_id in arrived if doc_id in self.entries]
        if not times:
            return []
        since = min(times)
        scope = sorted((entry for entry in self.entries.values() if entry.at >= since and not locked(entry.doc.id)),
                       key=lambda entry: (entry.at, entry.doc.id))
        self.redecide(scope)
        return [entry.doc.id for entry in scope]

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
        p = self.params
        window, half_life = p.related_window, p.related_half_life
        candidates = self._candidate_docs(entry, window, exclude_story=entry.story)
        others = [self.entries[other_id] for other_id in candidates]
        dots, _ = self._group_products(self._unit_arrays(entry), [[other] for other in others])
        similarities = p.title_weight * dots[0] + p.body_weight * dots[1] + p.entity_weight * dots[2]
        scored = []
        for other_id, other, similarity in zip(candidates, others, similarities.tolist(), strict=True):
            gap = abs(other.doc.published - entry.doc.published)
            score = similarity * 0.5 ** (gap / half_life)
            if score >= p.related_threshold:
                scored.append((other_id, round(score, 4)))
        scored.sort(key=lambda pair: (-pair[1], pair[0]))
        return scored[: count or self.params.related_count]

    # -- weights ----------------------------------------------------------------------------
    # Vectors are numpy arrays of term ids and values, and every sum that a decision compares is taken
    # in an order that does not depend on the ids (which differ between a warm index and a fresh one):
    # per article in its own term order, per story in member order, a story's norm over its values
    # sorted. So a warm index and a fresh one still decide alike, to the last bit.

    def _changed(self) -> None:
        self._idf_base = math.log1p(len(self.entries)) + 1.0

    def _df_of(self, term: str) -> int:
        postings = self._postings.get(term)
        return len(postings) if postings is not None else 0

    def _idf(self, term: str) -> float:
        """log((1 + N) / (1 + df)) + 1."""
        return self._idf_base - math.log1p(self._df_of(term))

    def _ids_of(self, terms, register: bool = False) -> np.ndarray:
        ids = self._term_ids
        if register:
            for term in terms:
                if term not in ids:
                    ids[term] = len(ids)
            if len(ids) > len(self._df):
                self._df = np.concatenate([self._df, np.zeros(max(len(ids), len(self._df)), dtype=np.int64)])
        return np.array([ids.get(term, -1) for term in terms], dtype=np.int64)

    def _arrays(self, weights: tuple[Vector, Vector, Vector]) -> Arrays:
        """Per field, the term ids (-1: a term this index does not hold) and the weights."""
        title, body, names = (
            (self._ids_of(vector), np.fromiter(vector.values(), dtype=np.float64, count=len(vector)))
            for vector in weights)
        return title, body, names

    def _idf_values(self, ids: np.ndarray) -> np.ndarray:
        df = np.where(ids >= 0, self._df[np.maximum(ids, 0)], 0)
        # From a table of math.log1p, not np.log1p: numpy's vectorised log differs in the last bit
        # between CPUs (AVX-512 or not), and workers on different machines must score alike.
        if len(self._log1p) <= len(self.entries):
            self._log1p = np.array([math.log1p(k) for k in range(2 * len(self.entries) + 2)])
        return self._idf_base - self._log1p[df]

    def _unit_arrays(self, entry: _Entry) -> Arrays:
        """The entry's unit TF-IDF vectors under the current document frequencies."""
        arrays = entry.arrays if self.entries.get(entry.doc.id) is entry else self._arrays(entry.weights)
        units = []
        for ids, weights in arrays:
            scaled = weights * self._idf_values(ids)
            norm = math.sqrt(math.fsum((scaled * scaled).tolist()))
            units.append((ids, scaled / norm if norm else scaled))
        return units[0], units[1], units[2]

    def _group_products(self, units: Arrays, groups: list[list[_Entry]]) -> tuple[np.ndarray, np.ndarray]:
        """For each group of indexed articles (a story's members, or one article), per field: the dot
        product of `units` with the sum of the members' unit vectors, and that sum's norm; (3, groups)."""
        count = len(groups)
        members = [member for group in groups for member in group]
        group_of_member = np.repeat(np.arange(count), [len(group) for group in groups])
        dots, norms = np.zeros((3, count)), np.zeros((3, count))
        span = len(self._df)  # a key for (group, term): group * span + term id
        for f in range(3):
            parts = [member.arrays[f] for member in members]
            lengths = np.array([len(ids) for ids, _ in parts], dtype=np.int64)
            query_ids, query_values = units[f]
            known = query_ids >= 0
            query_ids, query_values = query_ids[known], query_values[known]
            if not lengths.sum():
                continue
            ids = np.concatenate([ids for ids, _ in parts])
            member = np.repeat(np.arange(len(members)), lengths)
            scaled = np.concatenate([values for _, values in parts]) * self._idf_values(ids)
            member_norms = np.sqrt(np.bincount(member, weights=scaled * scaled, minlength=len(members)))
            unit = scaled / member_norms[member]
            keys, slots = np.unique(group_of_member[member] * span + ids, return_inverse=True)
            sums = np.bincount(slots, weights=unit)  # in member order, then each member's term order
            key_group, squares = keys // span, sums * sums
            order = np.lexsort((squares, key_group))
            norms[f] = np.sqrt(np.bincount(key_group[order], weights=squares[order], minlength=count))
            if not len(query_ids):
                continue
            wanted = (np.arange(count)[:, None] * span + query_ids[None, :]).ravel()
            at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
            products = np.where(keys[at] == wanted, sums[at], 0.0) * np.tile(query_values, count)
            dots[f] = np.bincount(np.repeat(np.arange(count), len(query_ids)), weights=products, minlength=count)
        return dots, norms

    # -- candidates and scores --------------------------------------------------------------

    def _may_copy(self, entry: _Entry, key: str) -> bool:
        """A copy is near in time and shares a title word: pages of one site that share only their
        boilerplate (menus, "get email notifications") are not copies of each other."""
        other = self.entries.get(key)
        return (other is not None and key != entry.doc.id
                and abs(other.doc.published - entry.doc.published) <= self.params.related_window
                and (not entry.weights[0] or not other.weights[0] or bool(entry.weights[0].keys() & other.weights[0].keys())))

    def _rarest_terms(self, entry: _Entry) -> list[str]:
        common = max(50, COMMON_DF * len(self.entries))
        known = [(df, term) for term in entry.terms if 0 < (df := self._df_of(term)) <= common]
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

    def _nearest_members(self, story_id: str, at: float) -> list[_Entry]:
        """The story's articles nearest in time to `at`: a story is compared through these."""
        members = sorted(self.stories[story_id].members.items(), key=lambda item: (abs(item[1] - at), item[0]))
        return [self.entries[doc_id] for doc_id, _ in members[:MAX_STORY_MEMBERS]]

    def _score_stories(self, entry: _Entry, story_ids: list[str]) -> dict[str, tuple[float, ...]]:
        """Per story: (title, body, entities cosines with its centroid, gap in seconds, time decay,
        evidence factor, score)."""
        p = self.params
        groups = [self._nearest_members(story_id, entry.at) for story_id in story_ids]
        dots, norms = self._group_products(self._unit_arrays(entry), groups)
        cosines = np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0).T.tolist()
        rare_names = self._rare_names(entry)
        parts = {}
        for story_id, group, (title, body, names) in zip(story_ids, groups, cosines, strict=True):
            gap = min(self.stories[story_id].gap(entry.at), _event_gap(entry.evidence, group))
            decay = 0.5 ** (gap / p.half_life.total_seconds())
            factor = self._evidence_factor(entry.evidence, group)
            similarity = p.title_weight * title + p.body_weight * body + p.entity_weight * names
            rare = self._shared_rare_names(rare_names, group)
            similarity += p.rare_weight * min(rare, RARE_ENOUGH) / RARE_ENOUGH
            if rare >= RARE_WAIVES:
                # The same people and places: a follow-up (an arrest, a second victim's death) tells
                # of new days and ages, and is no look-alike for that.
                factor = 1.0
            if not rare and len(rare_names) >= RARE_ENOUGH:
                factor *= p.rare_conflict  # many telling names of its own, none of the story's
            parts[story_id] = (title, body, names, rare, gap, decay, factor, similarity * decay * factor)
        return parts

    def _distinctive_names(self, entry: _Entry) -> list[str]:
        """The article's two-word names and addresses near its top ("@kevin_barbee", "@edwards_street")
        that few articles of the index use, with a word few articles use ("barbee", not
        "county" or "news"): the names of the people and places of one event."""
        most = max(NAME_RARE, int(RARE_SHARE * len(self.entries)))
        return sorted(key for key in entry.evidence.names if 0 < self._df_of(key) <= most
                      and any(self._telling_word(word, entry.at) for word in key[1:].split("_")))

    def _telling_word(self, word: str, at: float) -> bool:
        """Whether the articles of the index that use this word (few of them) are, within the names
        horizon, of at most WORD_STORIES stories: a surname or a bar's name, not "county", "news" or
        a city."""
        postings = self._postings.get(word)
        if postings is None or len(postings) > NAME_RARE:
            return False
        near = postings.near(at, self.params.name_horizon.total_seconds(), NAME_RARE)
        return len({self.entries[other].story for other in near}) <= WORD_STORIES

    def _named_story(self, entry: _Entry) -> tuple[str, set[str], float] | None:
        """The story (of the index, within the names horizon) that shares the most
        distinctive names with this article through another outlet's articles, at least `name_join`
        names with no word in common: (story, names, seconds to its nearest article that shares one)."""
        p = self.params
        if p.name_join <= 0 or len(self.entries) < p.name_min_articles:
            return None
        at, span, own, mine = entry.at, p.name_horizon.total_seconds(), entry.doc.id, _outlet(entry.doc.source)
        shared: dict[str, set[str]] = {}
        nearest: dict[str, tuple[float, str]] = {}  # story → (seconds, id) of its nearest sharing article
        for key in self._distinctive_names(entry):
            found = [(other_id, self.entries[other_id].story, self.entries[other_id].at,
                      _outlet(self.entries[other_id].doc.source))
                     for other_id in self._postings[key].near(at, span, MAX_SCAN)]
            # A name that articles of several stories use is a spokesman's, a street's, an outlet's:
            # it tells no event apart.
            if len({story for other_id, story, _, _ in found if other_id != own}) != 1:
                continue
            for other_id, story, other_at, outlet in found:
                # Only another outlet's articles count: an outlet's own articles share its
                # reporters' and staff's names, whatever they are about.
                if other_id == own or outlet == mine:
                    continue
                shared.setdefault(story, set()).add(key)
                nearest[story] = min(nearest.get(story, (math.inf, "")), (abs(other_at - at), other_id))
        # Most names first, then the story nearest in time, then the id of that nearest article: all
        # functions of the set of articles, not of the order they came in (story ids are not).
        ranked = sorted((story for story in shared if _disjoint_names(shared[story]) >= p.name_join),
                        key=lambda story: (-len(shared[story]), nearest[story]))
        if not ranked:
            return None
        story = ranked[0]
        return story, {key.lstrip("@") for key in shared[story]}, nearest[story][0]

    def _rare_names(self, entry: _Entry) -> list[str]:
        """The article's names and numbers that at most one in a thousand articles of the index use
        (none in an index under a thousand articles: there, nothing is rare enough to tell)."""
        most = int(RARE_SHARE * len(self.entries))
        return [key for key in entry.weights[2] if 0 < self._df_of(key) <= most] if most else []

    @staticmethod
    def _shared_rare_names(rare_names: list[str], group: list[_Entry]) -> int:
        return sum(1 for key in rare_names if any(key in member.weights[2] for member in group))

    def _evidence_factor(self, evidence: Evidence, group: list[_Entry]) -> float:
        """1, or less when the story's articles tell of other event days or only of other people's ages."""
        p, factor = self.params, 1.0
        days = frozenset().union(*(member.evidence.days for member in group))
        if evidence.days and days:
            agree = any(abs(a - b) <= DAY_SLACK for a in evidence.days for b in days)
            factor *= 1.0 if agree else p.day_conflict
        ages = frozenset().union(*(member.evidence.ages for member in group))
        if evidence.ages and ages:
            factor *= 1.0 if evidence.ages & ages else p.age_conflict
        return factor


def _outlet(source: str) -> str:
    """An outlet's name as articles give it, without what varies between its addresses
    ("https://www.wkrn.com:80" and "wkrn.com" are one outlet)."""
    host = source.strip().lower().split("://")[-1].split("/")[0].split(":")[0]
    return host.removeprefix("www.")


def _disjoint_names(names: set[str]) -> int:
    """How many of these two-word names share no word with each other: "Officer Janel Sedevic" gives
    two keys ("office_janel", "janel_sedevi") but is one name."""
    used: set[str] = set()
    count = 0
    for name in sorted(names):
        words = set(name.lstrip("@").split("_"))
        if not words & used:
            used |= words
            count += 1
    return count


def _event_gap(evidence: Evidence, group: list[_Entry]) -> float:
    """Seconds between the event days this article names and those the story's articles name (a
    follow-up a week later that recalls "the November 2 shooting" is close to the first reports)."""
    days = [day for member in group for day in member.evidence.days]
    if not evidence.days or not days:
        return math.inf
    return 86400.0 * min(abs(a - b) for a in evidence.days for b in days)


def _explain(title: float, body: float, names: float, rare: int, gap: float, decay: float, factor: float,
             score: float) -> str:
    evidence = f", event days/ages ×{factor:.2f}" if factor != 1 else ""
    return (f"title {title:.2f}, body {body:.2f}, entities {names:.2f}, {rare} rare names shared, "
            f"{gap / 3600:.0f} h apart (×{decay:.2f}){evidence} = {score:.3f}")


def _sublinear(counts, prefix: str = "") -> Vector:
    """1 + log(tf): a term said ten times is not ten times as telling."""
    return {sys.intern(prefix + term): 1 + math.log(count) for term, count in counts.items()}
