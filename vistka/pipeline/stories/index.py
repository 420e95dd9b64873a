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
import itertools
import math
import sys
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np

from vistka.pipeline.stories.duplicates import DuplicateIndex, Signature, signature_of
from vistka.pipeline.stories.terms import NO_EVIDENCE, Doc, Evidence, Features, evidence_of, features_of

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
# A story's squared centroid norms are summed in fixed point, with this many fractional bits: integer
# sums are exact in any order (term ids, which order the terms, differ between workers), where a float
# sum needed the terms sorted by value first. A sum of unit vectors of n members has a squared norm of
# at most n², which must fit in an int64.
SQUARE_BITS = 52
assert MAX_STORY_MEMBERS**2 < 2 ** (63 - SQUARE_BITS)


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


class _Packed:
    """An indexed article's term weights in one layout: the term ids of its title, body and entity
    terms in one int32 array, their weights in one float64 array (in each field's own term order),
    where the body and the entity terms start, and its publication time. 12 bytes a term and two
    arrays an article, against ~100 bytes a term in dicts of floats plus the arrays a decision reads:
    a warm index holds tens of thousands of articles in every worker."""

    __slots__ = ("table", "ids", "values", "body", "names", "at", "slot")

    def __init__(self, table: list[str], ids: np.ndarray, values: np.ndarray, body: int, names: int,
                 at: float, slot: int) -> None:
        self.table = table  # the index's term of each id (an entry copied into another index is re-packed)
        self.ids, self.values, self.body, self.names, self.at, self.slot = ids, values, body, names, at, slot

    def fields(self) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
        ids, values, body, names = self.ids, self.values, self.body, self.names
        return (ids[:body], values[:body]), (ids[body:names], values[body:names]), (ids[names:], values[names:])

    def vectors(self) -> tuple[Vector, Vector, Vector]:
        table = self.table
        title, body, names = (
            {table[term]: value for term, value in zip(ids.tolist(), values.tolist(), strict=True)}
            for ids, values in self.fields())
        return title, body, names


@dataclass(eq=False, slots=True)
class _Entry:
    doc: Doc
    features: Features | None
    story: str = ""
    signature: object = None
    # Sublinear term frequencies per field (entity keys carry an "@"): what an article contributes,
    # independent of every other article. IDF is applied when a decision is made. Once the entry is
    # in an index they are packed (`packed`) and `unpacked` is None.
    unpacked: tuple[Vector, Vector, Vector] | None = None
    evidence: Evidence = NO_EVIDENCE
    packed: _Packed | None = None

    @property
    def weights(self) -> tuple[Vector, Vector, Vector]:
        return self.unpacked if self.packed is None else self.packed.vectors()

    @property
    def terms(self) -> set[str]:
        if self.packed is not None:
            table = self.packed.table
            return {table[term] for term in self.packed.ids.tolist()}
        title, body, names = self.unpacked
        return set(title) | set(body) | set(names)

    @property
    def at(self) -> float:
        return self.packed.at if self.packed is not None else self.doc.published.timestamp()


# A term's postings: the slots in the index of the articles that use it, ordered by (publication
# time, id), in a bare array (4 bytes a posting; the time and the id are looked up by slot), because a
# window of tens of thousands of articles holds millions of postings — and an index holds a list for
# every term it has met, so no object around each (a small index of long articles meets ~1,000 new
# terms an article).

def _insert_posting(slots: array, slot: int, times: array, ids: list) -> None:
    at, doc_id = times[slot], ids[slot]
    i = bisect_right(slots, at, key=times.__getitem__)
    while i > 0 and times[slots[i - 1]] == at and ids[slots[i - 1]] > doc_id:
        i -= 1
    slots.insert(i, slot)


def _remove_posting(slots: array, slot: int, times: array) -> None:
    i = bisect_left(slots, times[slot], key=times.__getitem__)
    while slots[i] != slot:
        i += 1
    del slots[i]


def _postings_near(slots: array, at: float, span: float, limit: int, times: array) -> list[int]:
    """Up to `limit` slots within `span` seconds of `at`, latest first (all of a tie at the cut)."""
    start, stop = _range_near(slots, at, span, limit, times)
    return slots[start:stop][::-1].tolist()


def _norms_by_part(sums: np.ndarray, parts: np.ndarray, count: int) -> np.ndarray:
    """The norm of each part's values (`parts` sorted, in [0, count)): their squares summed exactly, in
    fixed point (SQUARE_BITS), so that the sum does not depend on the values' order."""
    totals = np.zeros(count, dtype=np.int64)
    if len(parts):
        squares = np.rint(sums * sums * 2.0**SQUARE_BITS).astype(np.int64)
        firsts = np.flatnonzero(np.r_[True, parts[1:] != parts[:-1]])
        totals[parts[firsts]] = np.add.reduceat(squares, firsts)
    return np.sqrt(totals / 2.0**SQUARE_BITS)


def _range_near(slots: array, at: float, span: float, limit: int, times: array) -> tuple[int, int]:
    """Where _postings_near() finds its slots: slots[start:stop]."""
    key = times.__getitem__
    low, stop = bisect_left(slots, at - span, key=key), bisect_right(slots, at + span, key=key)
    start = max(low, stop - limit)
    if low < start < stop:  # the cut fell inside a tie: take the rest of it
        last = times[slots[start]]
        while start > low and times[slots[start - 1]] == last:
            start -= 1
    return start, stop


@dataclass(slots=True)
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
        self._postings: dict[str, array] = {}  # term → its postings (see _insert_posting)
        self._duplicates = DuplicateIndex(self.params.duplicate_threshold)
        self._next_story = 0
        self._idf_base = 1.0  # log(1 + N) + 1
        self._term_ids: dict[str, int] = {}
        self._terms: list[str] = []  # the term of each id
        self._df = np.zeros(1024, dtype=np.int64)  # articles holding each term, by term id
        # Each indexed article has a slot: postings hold slots, and these its time, id and entry.
        self._slot_times = array("d")
        self._slot_ids: list[str | None] = []
        self._slot_entries: list[_Entry | None] = []
        self._free_slots: list[int] = []
        self._log1p = np.array([math.log1p(k) for k in range(2)])  # log(1 + k), k = 0, 1, ...: see _changed

    @property
    def term_count(self) -> int:
        """The terms the index has met: its memory grows with them (a posting list and a table entry
        each, ~210 bytes) more than with its articles, above all in a small index of long articles."""
        return len(self._terms)

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
        signature and the evidence) a caller may pass in from a cache. With the weights and the
        evidence, `signature` is taken as made: None there is a text too short to have one (made
        again, it would be None again)."""
        if weights is not None and evidence is not None:
            return _Entry(doc, None, signature=signature, unpacked=weights, evidence=evidence)
        entry = _Entry(doc, features or features_of(doc), evidence=evidence_of(doc))
        entry.signature = signature if signature is not None else signature_of(entry.features.words)
        entry.unpacked = weights_of(entry.features)
        return entry

    def decide(self, entry: _Entry, explain: bool = True) -> Decision:
        """The story this article should join (None: a new one), without changing the index;
        `explain` adds the scores of the best candidates to the reasons."""
        title: set[int] = set()  # the article's title terms, by id here: for _may_copy
        if entry.signature is not None:
            title = set(self._arrays(entry)[0][0].tolist())
        duplicate = self._duplicates.find(entry.signature, allowed=lambda key: self._may_copy(entry, title, key))
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
        packed, at = entry.packed, entry.at
        entry.story = story
        # Only term weights, evidence and the signature are needed from now on; the text and the
        # title would cost memory. The outlet's name is one string for all its articles.
        doc = entry.doc
        entry.doc, entry.features = Doc(doc.id, "", "", doc.published, sys.intern(doc.source)), None
        entry.evidence = _compact(entry.evidence)
        slot = self._free_slots.pop() if self._free_slots else len(self._slot_ids)
        if slot == len(self._slot_ids):
            self._slot_times.append(at)
            self._slot_ids.append(doc_id)
            self._slot_entries.append(entry)
        else:
            self._slot_times[slot], self._slot_ids[slot], self._slot_entries[slot] = at, doc_id, entry
        if packed is not None and packed.table is self._terms:  # taken out of this index and put back
            entry.packed = _Packed(packed.table, packed.ids, packed.values, packed.body, packed.names, at, slot)
        else:  # prepared, or an entry of another index (its term ids are that index's)
            entry.packed, entry.unpacked = self._pack(entry.weights, at, slot), None
        self.entries[doc_id] = entry
        self.stories.setdefault(story, _Story()).members[doc_id] = at
        table, times, ids, postings_of = self._terms, self._slot_times, self._slot_ids, self._postings
        for term in entry.packed.ids.tolist():  # ~200 terms an article, thousands of articles a rebuild: inlined
            slots = postings_of.get(table[term])
            if slots is None:
                postings_of[table[term]] = array("i", (slot,))
                continue
            # The ends first (a list is never empty: remove() drops an empty one): the warm index adds
            # the newest article, a rebuild reads the newest first. A last posting of the same time
            # and no greater id is where _insert_posting would put it too: above all this article's
            # own, when a title term is a body term as well (one posting in seven of 5,908 real articles).
            last = slots[-1]
            if times[last] < at or (times[last] == at and ids[last] <= doc_id):
                slots.append(slot)
            elif times[slots[0]] > at:
                slots.insert(0, slot)
            else:
                _insert_posting(slots, slot, times, ids)
        self._df[entry.packed.ids] += 1
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
        packed, times = entry.packed, self._slot_times
        for term in packed.ids.tolist():
            postings = self._postings[self._terms[term]]
            _remove_posting(postings, packed.slot, times)
            if not postings:
                del self._postings[self._terms[term]]
        self._df[packed.ids] -= 1
        self._slot_ids[packed.slot] = self._slot_entries[packed.slot] = None
        self._free_slots.append(packed.slot)
        # The entry keeps its weights (settling takes entries out and puts them back), no longer this
        # index's slot.
        entry.packed = _Packed(packed.table, packed.ids, packed.values, packed.body, packed.names, packed.at, -1)
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
        dots = self._single_products(self._unit_arrays(entry), others)
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
    # per article in its own term order, per story in member order, a story's norm in fixed point
    # (_norms_by_part). So a warm index and a fresh one still decide alike, to the last bit.

    def _changed(self) -> None:
        self._idf_base = math.log1p(len(self.entries)) + 1.0
        if len(self._log1p) <= len(self.entries):
            # Grown here, as articles come in (doubling: a few ms over a whole rebuild), not by the
            # first decision after a rebuild: 56,000 math.log1p calls would add ~10 ms to that one.
            self._log1p = np.array([math.log1p(k) for k in range(2 * len(self.entries) + 2)])

    def _df_of(self, term: str) -> int:
        postings = self._postings.get(term)
        return len(postings) if postings is not None else 0

    def _idf(self, term: str) -> float:
        """log((1 + N) / (1 + df)) + 1."""
        return self._idf_base - math.log1p(self._df_of(term))

    def _ids_of(self, terms, register: bool = False) -> np.ndarray:
        ids = self._term_ids
        if not register:
            return np.array([ids.get(term, -1) for term in terms], dtype=np.int64)
        found, known, table = [], ids.get, self._terms
        for term in terms:  # one pass: every article added registers its ~200 terms here
            term_id = known(term)
            if term_id is None:
                term_id = ids[term] = len(table)
                table.append(term)
            found.append(term_id)
        if len(ids) > len(self._df):
            self._df = np.concatenate([self._df, np.zeros(max(len(ids), len(self._df)), dtype=np.int64)])
        return np.array(found, dtype=np.int64)

    def _pack(self, weights: tuple[Vector, Vector, Vector], at: float, slot: int) -> _Packed:
        title, body, names = weights
        terms = [*title, *body, *names]
        ids = self._ids_of(terms, register=True).astype(np.int32)
        values = np.fromiter(itertools.chain(title.values(), body.values(), names.values()), dtype=np.float64,
                             count=len(terms))
        return _Packed(self._terms, ids, values, len(title), len(title) + len(body), at, slot)

    def _arrays(self, entry: _Entry) -> Arrays:
        """Per field, the term ids (-1: a term this index does not hold) and the weights."""
        if entry.packed is not None and entry.packed.table is self._terms:
            return entry.packed.fields()
        title, body, names = (
            (self._ids_of(vector), np.fromiter(vector.values(), dtype=np.float64, count=len(vector)))
            for vector in entry.weights)
        return title, body, names

    def _idf_values(self, ids: np.ndarray) -> np.ndarray:
        df = np.where(ids >= 0, self._df[np.maximum(ids, 0)], 0)
        # From a table of math.log1p (_changed), not np.log1p: numpy's vectorised log differs in the
        # last bit between CPUs (AVX-512 or not), and workers on different machines must score alike.
        return self._idf_base - self._log1p[df]

    def _unit_arrays(self, entry: _Entry) -> Arrays:
        """The entry's unit TF-IDF vectors under the current document frequencies."""
        units = []
        for ids, weights in self._arrays(entry):
            scaled = weights * self._idf_values(ids)
            norm = math.sqrt(math.fsum((scaled * scaled).tolist()))
            units.append((ids, scaled / norm if norm else scaled))
        return units[0], units[1], units[2]

    def _member_units(self, packs: list[_Packed]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """All the members' terms, one after another: (term ids, member, field, weight in its member's
        unit vector of that field under the current document frequencies)."""
        lengths = np.array([len(pack.ids) for pack in packs], dtype=np.int64)
        ids = np.concatenate([pack.ids for pack in packs]).astype(np.int64)
        values = np.concatenate([pack.values for pack in packs])
        # Each term's member and field (0 title, 1 body, 2 entities, by its place in the member).
        member = np.repeat(np.arange(len(packs)), lengths)
        starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
        place = np.arange(len(ids)) - starts
        field_of = ((place >= np.repeat(np.array([pack.body for pack in packs]), lengths)).astype(np.int64)
                    + (place >= np.repeat(np.array([pack.names for pack in packs]), lengths)))
        scaled = values * self._idf_values(ids)
        part = member * 3 + field_of  # (member, field)
        part_norms = np.sqrt(np.bincount(part, weights=scaled * scaled, minlength=3 * len(packs)))
        return ids, member, field_of, scaled / part_norms[part]

    def _group_products(self, units: Arrays, groups: list[list[_Entry]]) -> tuple[np.ndarray, np.ndarray]:
        """For each group of indexed articles (a story's members), per field: the dot product of `units`
        with the sum of the members' unit vectors, and that sum's norm; (3, groups).

        All three fields at once, each (group, field) a bin of its own: every sum runs over the same
        values in the same order as it would field by field (np.bincount adds in input order)."""
        count = len(groups)
        dots, norms = np.zeros(3 * count), np.zeros(3 * count)
        packs = [member.packed for group in groups for member in group]
        if not packs:
            return dots.reshape(count, 3).T, norms.reshape(count, 3).T
        if max(map(len, groups)) > MAX_STORY_MEMBERS:
            raise ValueError(f"a group of more than {MAX_STORY_MEMBERS} articles: its norms would not fit (SQUARE_BITS)")
        ids, member, field_of, unit = self._member_units(packs)
        group_of_member = np.repeat(np.arange(count), [len(group) for group in groups])
        span = len(self._df)  # a key for (group, field, term): (group * 3 + field) * span + term id
        keys, slots = np.unique((group_of_member[member] * 3 + field_of) * span + ids, return_inverse=True)
        sums = np.bincount(slots, weights=unit)  # in member order, then each member's term order
        norms = _norms_by_part(sums, keys // span, 3 * count)
        query = [(f, ids, values) for f, (ids, values) in enumerate(units)]
        query_ids = np.concatenate([ids for _, ids, _ in query])
        query_values = np.concatenate([values for _, _, values in query])
        query_fields = np.concatenate([np.full(len(ids), f, dtype=np.int64) for f, ids, _ in query])
        known = query_ids >= 0
        query_ids, query_values, query_fields = query_ids[known], query_values[known], query_fields[known]
        if len(query_ids):
            bins = (np.arange(count)[:, None] * 3 + query_fields[None, :]).ravel()
            wanted = bins * span + np.tile(query_ids, count)
            at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
            products = np.where(keys[at] == wanted, sums[at], 0.0) * np.tile(query_values, count)
            dots = np.bincount(bins, weights=products, minlength=3 * count)
        return dots.reshape(count, 3).T, norms.reshape(count, 3).T

    def _single_products(self, units: Arrays, others: list[_Entry]) -> np.ndarray:
        """Per field, the dot product of `units` with each article's unit vector; (3, articles). Each
        article's terms are looked up among the query's, sorted once: an article's terms are distinct,
        so they need no grouping (the sort of all of them that _group_products makes)."""
        count = len(others)
        span = len(self._df)
        query_keys = np.concatenate([field * span + ids[ids >= 0] for field, (ids, _) in enumerate(units)])
        if not count or not len(query_keys):
            return np.zeros((3, count))
        query_values = np.concatenate([values[ids >= 0] for ids, values in units])
        order = np.argsort(query_keys)
        query_keys, query_values = query_keys[order], query_values[order]
        ids, member, field_of, unit = self._member_units([other.packed for other in others])
        wanted = field_of * span + ids
        at = np.minimum(np.searchsorted(query_keys, wanted), len(query_keys) - 1)
        products = np.where(query_keys[at] == wanted, query_values[at], 0.0) * unit
        return np.bincount(member * 3 + field_of, weights=products, minlength=3 * count).reshape(count, 3).T

    # -- candidates and scores --------------------------------------------------------------

    def _may_copy(self, entry: _Entry, title: set[int], key: str) -> bool:
        """A copy is near in time and shares a title word: pages of one site that share only their
        boilerplate (menus, "get email notifications") are not copies of each other."""
        other = self.entries.get(key)
        if other is None or key == entry.doc.id or abs(other.doc.published - entry.doc.published) > self.params.related_window:
            return False
        other_title = other.packed.ids[:other.packed.body].tolist()
        return not title or not other_title or not title.isdisjoint(other_title)

    def _rarest_terms(self, entry: _Entry) -> list[str]:
        common = max(50, COMMON_DF * len(self.entries))
        known = [(df, term) for term in entry.terms if 0 < (df := self._df_of(term)) <= common]
        known.sort()
        return [term for _, term in known[: self.params.candidate_terms]]

    def _candidate_docs(self, entry: _Entry, window: timedelta, exclude_story: str = "") -> list[str]:
        """Articles inside the window that share the most rare-term weight with this one."""
        at, span, times = entry.at, window.total_seconds(), self._slot_times
        found, weights = [], []
        for term in self._rarest_terms(entry):
            postings = self._postings[term]
            start, stop = _range_near(postings, at, span, MAX_SCAN, times)
            if stop > start:
                found.append(np.frombuffer(postings[start:stop], dtype=np.int32))
                weights.append(self._idf(term))
        if not found:
            return []
        # Each article's shared weight, added term by term in the order of the terms (np.bincount
        # adds in input order), as a sum per article would be.
        slots, where = np.unique(np.concatenate(found), return_inverse=True)
        hits = np.bincount(where, weights=np.repeat(weights, [len(part) for part in found]))
        held = self.entries.get(entry.doc.id)
        own = held.packed.slot if held is not None else -1
        entries, ids = self._slot_entries, self._slot_ids
        # The MAX_CANDIDATES best, ties by article id (not slot: slots depend on the order articles
        # came in): every article down to the weight of the last one taken, then the cut.
        chosen, cut = [], -math.inf
        weights_of, slots_of = hits.tolist(), slots.tolist()
        for k in np.argsort(-hits, kind="stable").tolist():
            weight, slot = weights_of[k], slots_of[k]
            if weight < cut:
                break
            if slot == own or (exclude_story and entries[slot].story == exclude_story):
                continue
            chosen.append((-weight, ids[slot]))
            if len(chosen) == MAX_CANDIDATES:
                cut = weight
        chosen.sort()
        return [doc_id for _, doc_id in chosen[:MAX_CANDIDATES]]

    def _candidate_stories(self, entry: _Entry) -> set[str]:
        window = self.params.story_window.total_seconds()
        stories = {self.entries[other].story for other in self._candidate_docs(entry, self.params.story_window)}
        return {s for s in stories if self.stories[s].gap(entry.at) <= window}

    def _nearest_members(self, story_id: str, at: float) -> list[_Entry]:
        """The story's articles nearest in time to `at`: a story is compared through these."""
        # (In that order, also when all of them are taken: a story's sums run in member order.)
        nearest = heapq.nsmallest(MAX_STORY_MEMBERS, self.stories[story_id].members.items(),
                                  key=lambda item: (abs(item[1] - at), item[0]))
        return [self.entries[doc_id] for doc_id, _ in nearest]

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
        near = _postings_near(postings, at, self.params.name_horizon.total_seconds(), NAME_RARE, self._slot_times)
        entries = self._slot_entries
        return len({entries[other].story for other in near}) <= WORD_STORIES

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
        entries = self._slot_entries
        for key in self._distinctive_names(entry):
            found = [(other.doc.id, other.story, other.at, _outlet(other.doc.source))
                     for other in (entries[slot] for slot in _postings_near(self._postings[key], at, span, MAX_SCAN, self._slot_times))]
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
        if not most:
            return []
        ids, _ = self._arrays(entry)[2]
        return [self._terms[term] for term in ids.tolist() if term >= 0 and 0 < self._df[term] <= most]

    def _shared_rare_names(self, rare_names: list[str], group: list[_Entry]) -> int:
        if not rare_names:
            return 0
        held: set[int] = set()
        for member in group:
            held.update(member.packed.ids[member.packed.names:].tolist())
        return sum(1 for key in rare_names if self._term_ids[key] in held)

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


_NOTHING: frozenset = frozenset()


def _compact(evidence: Evidence) -> Evidence:
    """The evidence as an indexed article keeps it: most articles name no event day, age or name,
    and share one empty Evidence (216 bytes a set otherwise); names are the interned keys."""
    if not (evidence.days or evidence.ages or evidence.names):
        return NO_EVIDENCE
    return Evidence(evidence.days or _NOTHING, evidence.ages or _NOTHING,
                    frozenset(sys.intern(name) for name in evidence.names) if evidence.names else _NOTHING)


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


def weights_of(features: Features) -> tuple[Vector, Vector, Vector]:
    """Sublinear term frequencies per field: what an article contributes, whatever the index."""
    return _sublinear(features.title), _sublinear(features.body), _sublinear(features.entities, prefix="@")


def text_terms(doc: Doc) -> tuple[tuple[Vector, Vector, Vector], Signature | None]:
    """An article's term weights and signature, from its title, lead, text and language alone (not
    its time, source or index): what StoryIndex.prepare derives from the text, so that another
    process may make them (vistka/pipeline/extractpool.py) and the decision take them as made."""
    features = features_of(doc)
    return weights_of(features), signature_of(features.words)


def _sublinear(counts, prefix: str = "") -> Vector:
    """1 + log(tf): a term said ten times is not ten times as telling."""
    return {sys.intern(prefix + term): 1 + math.log(count) for term, count in counts.items()}
