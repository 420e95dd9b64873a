"""Database side of the stories stage: the clustering of stories.py applied to stored articles.

Each process keeps one warm StoryIndex of the published, grouped articles of the last
RETENTION (relative to the newest of them), and brings it up to date from the StoryChange log
before every decision: grouped by another worker, moved by an editor, taken down, re-translated or
deleted. Since a StoryIndex decides from the set of articles it holds, not from their order, every
worker makes the decision a fresh index of the same articles would make (tests/pipeline/stories/test_story_index.py
checks exactly that) — at the cost of reading a few rows, not of rebuilding a window of thousands.

An article older than the warm index reaches back (a backfill) is decided by an index of its own
time: built, or carried on from one of the last few such indexes, which the process keeps. Editors'
merges and splits lock the articles they touch: a locked article is never moved, and new articles
are compared with stories as the editors left them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import heapq
import sys
import threading
from collections import OrderedDict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Q, QuerySet, Value
from django.db.models.functions import Greatest

from vistka.core import events, locks
from vistka.core.models import Article, ArticleStatus, RelatedArticle, Source, Story, StoryChange, Translation
from vistka.core.plaintext import tags_stripped
from vistka.pipeline.stories.index import StoryIndex, StoryParams, text_terms
from vistka.pipeline.stories.terms import Doc, evidence_of

SYNC_LIMIT = 5_000  # more changes than this since the last decision: rebuilding is cheaper
BACKFILL_CARRY_LIMIT = 500  # more changes than this since the last backfill: its index is built afresh
# Earlier backfills' indexes kept beside the last one, for backfills of their days to carry on: an
# archive, or several outlets' archives, arrive in no order, coming back to the same months. Small
# indexes only, so that the worker stays lean: their size is counted in terms (StoryIndex.term_count),
# ~210 bytes each, since a small index of long articles holds ~125 KB an article.
BACKFILL_SPARES = 6
BACKFILL_SPARE_TERMS = 60_000  # in all the spare indexes together: ~13 MB
FREEZE_AT = 5_000  # articles in a rebuilt index from which its objects are exempted from garbage collection


def article_doc(article: Article) -> Doc:
    """The article in the site language when a translation exists, otherwise in the original."""
    translation = article.translation
    shown = translation or article
    lang = settings.SITE_LANGUAGE if translation else (article.language or article.source.language)
    original = f"{article.title}. {article.lead} {tags_stripped(article.body_html)}" if translation else ""
    return Doc(id=str(article.pk), title=shown.title, lead=shown.lead, text=tags_stripped(shown.body_html),
               published=article.shown_at, source=article.source.name, lang=lang,
               original=original)


def retention(params: StoryParams) -> timedelta:
    """How far back from the newest grouped article the warm index reaches."""
    return params.related_window + params.story_window


def reach(params: StoryParams) -> timedelta:
    """How far around an article its decision looks (candidates, related posts)."""
    return max(params.related_window, params.story_window)


def grouped() -> QuerySet[Article]:
    """The articles a story index holds: published and in a story, with what article_doc reads."""
    return Article.objects.published_with_translation().filter(story__isnull=False)


def _clock(article: Article) -> datetime:
    """When an article counts as new: its publication time, unless that lies after we fetched it
    (a wrong or future date must not push every other article out of the window)."""
    if article.fetched_at and article.published_at:
        return min(article.published_at, article.fetched_at)
    return article.shown_at


def doc_of(article: Article) -> Doc:
    """article_doc() of an article loaded by grouped() (its site translation prefetched)."""
    article.take_prefetched_translation()
    return article_doc(article)


def fill(index: StoryIndex, articles: Iterable[Article], story_key=lambda article: str(article.story_id)) -> list[Article]:
    """Add articles loaded by grouped() to the index, in their stories; returns them with their texts
    dropped (a rebuild streams thousands of them)."""
    return list(_filling(index, articles, story_key))


def _filling(index: StoryIndex, articles: Iterable[Article], story_key=lambda article: str(article.story_id)):
    """fill(), one article at a time: a rebuild need not hold every article it read at once."""
    for article in articles:
        # Not remembered in _PREPARED: the index holds the entry now, and a rebuild would otherwise
        # leave the last PREPARED_LIMIT articles' weights there twice (as dicts: ~25 MB at 1M articles).
        index.add(prepared(index, doc_of(article), remember=False), story_key(article))
        article.body_html = article.lead = ""
        article.site_translations = article._site_translation = None
        yield article


def newest_grouped() -> datetime | None:
    """The latest clock (_clock) among the articles a story index may hold.

    A clock is never later than the publication time, so the walk down the publication times (an
    index range) stops at the first one not later than the best clock found: usually the first
    article. (MAX over the clock expression would read every article: seconds at a million.)"""
    held = Article.objects.filter(status=ArticleStatus.PUBLISHED, story__isnull=False)
    best = held.filter(published_at__isnull=True).aggregate(newest=Max("fetched_at"))["newest"]
    walk = held.filter(published_at__isnull=False).order_by("-published_at").values_list("published_at", "fetched_at")
    for published, fetched in walk.iterator(chunk_size=50):
        if best is not None and published <= best:
            break
        clock = min(published, fetched) if fetched else published
        best = clock if best is None else max(best, clock)
    return best


def is_backfill(when: datetime, newest: datetime | None, params: StoryParams) -> bool:
    """Older than the warm index reaches: the decision needs an index of its own time."""
    return newest is not None and when < newest - retention(params) + reach(params)


def build_index(article: Article, params: StoryParams | None = None) -> StoryIndex:
    """The index a decision about `article` reads, built from the database alone: the grouped articles
    published since the newest one's clock minus the retention (what a warm index holds), or, for a
    backfill, those within the retention around the article itself."""
    params = params or StoryParams.from_options()
    when, newest = article.shown_at, newest_grouped()
    index = StoryIndex(params)
    if is_backfill(when, newest, params):
        fill(index, grouped().filter(published_at__gte=when - retention(params),
                                      published_at__lte=when + retention(params)))
    elif newest is not None:
        fill(index, grouped().filter(published_at__gte=newest - retention(params)))
    return index


@dataclasses.dataclass
class _HeldBackfill:
    article: int  # the backfill decided in `index`
    seen: int  # the last StoryChange when the index was built or carried on
    index: StoryIndex
    around: datetime  # the time whose span the index holds
    committed: bool = False  # the decision is committed, and added to the index


class WarmIndex:
    """One process's story index: the grouped articles published since `newest - retention`, where
    `newest` is the latest clock (_clock) among grouped articles; kept in step through StoryChange."""

    def __init__(self) -> None:
        self.lock = threading.Lock()  # worker threads share the index; the DB lock orders processes
        self.index: StoryIndex | None = None
        self.params: StoryParams | None = None
        self.seen, self.seen_article = 0, 0  # the last StoryChange applied
        self.clocks: dict[str, datetime] = {}
        self.newest: datetime | None = None
        self._by_time: list[tuple[datetime, str]] = []  # a heap, for dropping what leaves the window
        # This process's own committed decisions, by the StoryChange id they wrote: sync() takes them
        # from here instead of reading the article back (change id → (article id, entry, story, clock)).
        self._own: dict[int, tuple[int, object, str, datetime]] = {}
        # The index of the last backfill decision, kept for its related posts right after and for the
        # next backfill to carry on (_carried_backfill); and earlier ones, latest first (_spares).
        self._backfill: _HeldBackfill | None = None
        self._spares: list[_HeldBackfill] = []

    def index_for(self, article: Article, params: StoryParams | None = None) -> StoryIndex:
        """An index holding what the database holds now, for a decision about `article`."""
        params = params or StoryParams.from_options()
        self.sync(params)
        if is_backfill(article.shown_at, self.newest, params):
            index = self._carried_backfill(article, params) or build_index(article, params)
            self._hold_backfill(_HeldBackfill(article.pk, self.seen, index, article.shown_at))
            return index
        return self.index  # the last backfill's index stays: the next backfill may carry it on

    def _carried_backfill(self, article: Article, params: StoryParams) -> StoryIndex | None:
        """The nearest held backfill index brought to this article's time, when that touches fewer
        articles than building one: the articles changed since (the StoryChange log) taken out, then
        the span's articles it lacks read and those outside the span dropped. A StoryIndex decides
        from the set of articles it holds, not from how it came to hold them: the same set as
        build_index reads, the same decision. (An archive's backfill comes in days apart: most of
        the span is shared.)"""
        held = self._nearest_backfill(article.shown_at, params)
        if held is None:
            return None
        changed = list(StoryChange.objects.filter(id__gt=held.seen).values_list("article_id", flat=True)
                       [:BACKFILL_CARRY_LIMIT + 1])
        if len(changed) > BACKFILL_CARRY_LIMIT:
            self._let_go(held)  # changes only pile up: it will never be carried on
            return None
        index, when = held.index, article.shown_at
        wanted = {str(pk) for pk in grouped().filter(published_at__gte=when - retention(params),
                                                     published_at__lte=when + retention(params))
                  .values_list("pk", flat=True)}
        holding = set(index.entries)
        stale = {str(pk) for pk in changed} & holding
        if held.committed and changed.count(held.article) == 1:
            stale.discard(str(held.article))  # its decision, added as decided when it was committed (keep_backfill)
        leaving = (holding - wanted) | stale
        missing = wanted - (holding - leaving)
        if len(leaving) + len(missing) >= len(wanted):
            return None
        self._let_go(held)  # half carried (a failed read), it must not be taken again
        for key in leaving:
            index.remove(key)
        if missing:
            fill(index, grouped().filter(pk__in=[int(key) for key in missing]))
        return index

    def _nearest_backfill(self, when: datetime, params: StoryParams) -> _HeldBackfill | None:
        """The held backfill index around the time nearest `when`, among those whose span meets its span."""
        meeting = [held for held in (self._backfill, *self._spares) if held is not None
                   and held.index.params == params and abs(when - held.around) < 2 * retention(params)]
        return min(meeting, key=lambda held: abs(when - held.around), default=None)

    def _hold_backfill(self, held: _HeldBackfill | None) -> None:
        """`held` becomes the last backfill's index; the one before it a spare, within the spares' bounds."""
        if self._backfill is not None:
            self._spares.insert(0, self._backfill)
        self._backfill, kept, terms = held, [], 0
        for spare in self._spares:
            terms += spare.index.term_count
            if len(kept) < BACKFILL_SPARES and terms <= BACKFILL_SPARE_TERMS:
                kept.append(spare)
        self._spares = kept

    def _let_go(self, held: _HeldBackfill) -> None:
        if self._backfill is held:
            self._backfill = None
        self._spares = [spare for spare in self._spares if spare is not held]

    def keep_backfill(self, article: Article, entry, index: StoryIndex) -> None:
        """Once the decision about a backfill is committed, its index plus the article is what
        build_index would read for the related posts asked next (unless another change came in
        meanwhile: see current_for), so that index is not built twice for one article."""
        held = self._backfill
        if held is None or held.article != article.pk or held.index is not index:
            return
        copy, story = dataclasses.replace(entry), str(article.story_id)  # its arrays become this index's

        def committed() -> None:
            with self.lock:
                if all(kept is not held for kept in (self._backfill, *self._spares)):
                    return  # the next backfill's decision (another thread) carried it on, reading this one if in its span
                index.add(copy, story)
                held.committed = True

        transaction.on_commit(committed)

    def current_for(self, article: Article) -> StoryIndex:
        """The index as this process last brought it up to date (no reads of the change log, which
        need the stories lock), or one built for the article when there is none or it is too old."""
        params = StoryParams.from_options()
        when = article.shown_at
        if self.index is None or params != self.params or is_backfill(when, self.newest, params):
            held = self._backfill
            if (held is not None and held.article == article.pk and held.committed
                    and not StoryChange.objects.filter(id__gt=held.seen).exclude(article_id=article.pk).exists()):
                return held.index  # still what the database holds
            self._hold_backfill(None)  # (a later backfill may still carry it on, reading what changed since)
            return build_index(article, params)
        return self.index

    def sync(self, params: StoryParams) -> None:
        # The change last applied must still be there: when it is not, this process's index belongs
        # to a database state that is gone (a rolled-back test, a restored backup) and is rebuilt.
        log = list(StoryChange.objects.filter(id__gte=self.seen).order_by("id")
                   .values_list("id", "article_id")[: SYNC_LIMIT + 2])
        if (self.index is None or params != self.params or len(log) > SYNC_LIMIT
                or (self.seen and (not log or log[0] != (self.seen, self.seen_article)))):
            self.rebuild(params)
            return
        changed = [(change, article) for change, article in log if change > self.seen]
        if changed and not self._apply(*self._known_states(changed)):
            self.rebuild(params)
            return
        if changed:
            self.seen, self.seen_article = changed[-1]
            for change in [change for change in list(self._own) if change <= self.seen]:
                self._own.pop(change, None)

    def expect(self, article: Article, entry) -> None:
        """Remember the decision `_assign` just stored, so that syncing it needs no read once it is
        committed (a rolled-back decision never reaches the log, nor this memory) — provided the row,
        as stored now, is what the decision read: this process's copy may be older than another
        process's change of its text or status. (The row stays as read: this transaction has just
        updated it, so it holds the row's lock until it ends.)"""
        changes = [change for change in article.__dict__.pop("_story_changes", ()) if change is not None]
        clock = _stored_clock_if_unchanged(article) if changes else None
        if clock is not None:
            own = (article.pk, entry, str(article.story_id), clock)
            transaction.on_commit(lambda: self._own.update(dict.fromkeys(changes, own)))

    def _known_states(self, changed: list[tuple[int, int]]) -> tuple[list[int], dict[int, tuple]]:
        """The changed articles, and those whose every change here is a decision of this process's
        (their state is in memory: (entry, story, clock) as of the latest)."""
        articles = list(dict.fromkeys(article for _, article in changed))
        latest: dict[int, tuple] = {}
        foreign = set()
        for change, article in changed:
            own = self._own.get(change)
            if own is not None and own[0] == article:
                latest[article] = own[1:]
            else:
                foreign.add(article)
        return articles, {article: state for article, state in latest.items() if article not in foreign}

    def rebuild(self, params: StoryParams) -> None:
        self._own.clear()  # change ids may be reused after a restore
        self._backfill, self._spares = None, []  # so may their indexes'
        last = StoryChange.objects.order_by("-id").values_list("id", "article_id").first() or (0, 0)
        self.index, self.params, self.clocks, self._by_time = StoryIndex(params), params, {}, []
        self.seen, self.seen_article = last
        self.newest = newest_grouped()
        if self.newest is not None:
            self._hold(grouped().filter(published_at__gte=self.newest - retention(params)).iterator(chunk_size=500))
        if len(self.index.entries) >= FREEZE_AT:
            # Millions of long-lived objects: the garbage collector need not walk them again and
            # again (its full passes would otherwise stall decisions by tens of milliseconds).
            gc.collect()
            gc.freeze()

    def _hold(self, articles: Iterable[Article]) -> None:
        for article in _filling(self.index, articles):
            key = str(article.pk)
            self.clocks[key] = _clock(article)
            heapq.heappush(self._by_time, (self.index.entries[key].doc.published, key))

    def _hold_entry(self, entry, story: str, clock: datetime) -> None:
        key = entry.doc.id
        self.index.add(entry, story)
        self.clocks[key] = clock
        heapq.heappush(self._by_time, (entry.doc.published, key))

    def _apply(self, changed: list[int], remembered: dict[int, tuple]) -> bool:
        """Bring the changed articles up to date (those in `remembered` from memory, the others from
        the database); False when the window moved back, or far ahead (then a rebuild is cheaper)."""
        newest_left = False
        for pk in changed:
            self.index.remove(str(pk))
            clock = self.clocks.pop(str(pk), None)
            newest_left |= clock is not None and clock == self.newest
        unknown = [pk for pk in changed if pk not in remembered]
        current = list(grouped().filter(pk__in=unknown)) if unknown else []
        arriving = max([*(_clock(article) for article in current), *(clock for _, _, clock in remembered.values())],
                       default=None)
        if newest_left and (arriving is None or arriving < self.newest):
            return False  # the window moves back and older articles return: rebuild
        known = [clock for clock in (self.newest, arriving) if clock is not None]
        if not known:
            return True
        self.newest = max(known)
        horizon = self.newest - retention(self.params)
        self._hold([article for article in current if article.published_at >= horizon])
        for entry, story, clock in remembered.values():
            if entry.doc.published >= horizon:
                self._hold_entry(entry, story, clock)
        leaving = {}
        while self._by_time and self._by_time[0][0] < horizon:
            _, key = heapq.heappop(self._by_time)
            if key in self.clocks and self.index.entries[key].doc.published < horizon:
                leaving[key] = True
        if len(leaving) > len(self.clocks) // 2:
            # The window jumped (the first report after a quiet spell): reading what is left costs
            # less than taking thousands of articles out of the postings one by one.
            return False
        for key in leaving:
            self.index.remove(key)
            del self.clocks[key]
        return True


WARM = WarmIndex()


def _stored_clock_if_unchanged(article: Article) -> datetime | None:
    """The article's clock when it is stored published, in a story, with every field its doc
    (article_doc) was made of as this instance holds them: text, times, language, outlet and the site
    translation; else None. Compared where the row lies, in one query: reading the row and its
    translation back and making the doc again took ~4 ms of each decision, and the same filter through
    the ORM ~1.5 ms of building it. (Equal fields make an equal doc; a change that leaves the doc as it
    was only costs the read that sync() then makes.)"""
    source, translation = article.source, article.translation  # as the decision read them (cached)
    quote, params = connection.ops.quote_name, []

    def equal(table: str, model, name: str, value) -> str:
        column = f"{table}.{quote(model._meta.get_field(name).column)}"
        if value is None:
            return f"{column} IS NULL"
        params.append(connection.ops.adapt_datetimefield_value(value) if isinstance(value, datetime) else value)
        return f"{column} = %s"

    stored = [equal("a", Article, name, value) for name, value in (
        ("id", article.pk), ("status", ArticleStatus.PUBLISHED), ("title", article.title), ("lead", article.lead),
        ("body_html", article.body_html), ("published_at", article.published_at), ("fetched_at", article.fetched_at),
        ("language", article.language), ("source", source.pk))]
    stored += [equal("s", Source, "name", source.name), equal("s", Source, "language", source.language),
               f"a.{quote(Article._meta.get_field('story').column)} IS NOT NULL"]
    # Then the site translation's (their parameters after the article's, as in the query).
    site = [equal("t", Translation, "language", settings.SITE_LANGUAGE),
            f"t.{quote(Translation._meta.get_field('article').column)} = a.{quote(Article._meta.pk.column)}"]
    if translation is not None:
        site += [equal("t", Translation, name, getattr(translation, name)) for name in ("id", "title", "lead", "body_html")]
    sql = (f"SELECT 1 FROM {quote(Article._meta.db_table)} a JOIN {quote(Source._meta.db_table)} s "
           f"ON s.{quote(Source._meta.pk.column)} = a.{quote(Article._meta.get_field('source').column)} "
           f"WHERE {' AND '.join(stored)} AND {'' if translation is not None else 'NOT '}EXISTS "
           f"(SELECT 1 FROM {quote(Translation._meta.db_table)} t WHERE {' AND '.join(site)})")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return _clock(article) if cursor.fetchone() is not None else None


def record_changes(article_ids: Iterable[int]) -> list[int]:
    """Log that these articles' place among the stories changed, for every worker's warm index;
    returns the ids of the changes."""
    rows = [StoryChange(article_id=pk) for pk in article_ids]
    if not rows:
        return []
    with transaction.atomic(savepoint=False):
        if not getattr(_DECIDING, "locked", False):  # assign_story holds the lock already: no second round trip
            locks.serialise("stories")
        # Ids come back from PostgreSQL and SQLite ≥ 3.35; older SQLite returns none (None here).
        return [row.id for row in StoryChange.objects.bulk_create(rows)]


_PREPARED: OrderedDict = OrderedDict()
PREPARED_LIMIT = 5_000  # articles whose term weights and signature one process keeps
# Term weights and signatures an extraction process made for articles on their way to a decision,
# by the text they were made from (title, lead, plain text, language): taken once.
_OFFERED: OrderedDict = OrderedDict()
OFFERED_LIMIT = 4  # a decision follows its offer in the same thread; the rest: articles held, or translated after all


def text_terms_of(title: str, lead: str, text: str, lang: str) -> tuple:
    """The term weights and signature of an article with this text (index.text_terms): made in an
    extraction process, for offer_text_terms in the writer."""
    return text_terms(Doc(id="", title=title, text=text, published=None, lead=lead, lang=lang))


def offer_text_terms(title: str, lead: str, text: str, lang: str, terms: tuple) -> None:
    """`terms` (index.text_terms) of the article about to be decided with this text: its decision takes
    them instead of making them, when its document has exactly this text."""
    _OFFERED[(title, lead, text, lang)] = terms
    while len(_OFFERED) > OFFERED_LIMIT:
        with contextlib.suppress(KeyError):
            _OFFERED.popitem(last=False)


def prepared(index: StoryIndex, doc: Doc, remember: bool = True):
    """index.prepare(doc), reusing the article's terms and signature when what they are made of is
    unchanged (`remember`: keep them for next time). That is the text, its language (which words are
    stop words) and the publication time (which days "yesterday" and "on Monday" are): an editor who
    corrects only the date changes the article's event days. A new article's weights and signature
    may come made from its extraction process (offer_text_terms); only its evidence is made here."""
    key = (doc.id, hash((doc.title, doc.lead, doc.text, doc.original, doc.lang, doc.published)))
    cached = _PREPARED.get(key)
    if cached is not None:
        _PREPARED.move_to_end(key)
        return index.prepare(doc, signature=cached[1], weights=cached[0], evidence=cached[2])
    offered = _OFFERED.pop((doc.title, doc.lead, doc.text, doc.lang), None)
    if offered is not None:
        # Terms come from another process unshared: interned again, as every index's terms are (one
        # string for all the articles that use a term, in the index and in _PREPARED).
        weights = tuple({sys.intern(term): value for term, value in field.items()} for field in offered[0])
        entry = index.prepare(doc, signature=offered[1], weights=weights, evidence=evidence_of(doc))
    else:
        entry = index.prepare(doc)
    if not remember:
        return entry
    _PREPARED[key] = (entry.weights, entry.signature, entry.evidence)
    if len(_PREPARED) > PREPARED_LIMIT:
        _PREPARED.popitem(last=False)
    return entry


def group_into_story(article: Article) -> None:
    """An article published outside the runner (an editor's approval): its story (one article at a
    time across all workers: stories are shared state), then its related posts."""
    if article.story_id is None:
        with transaction.atomic():
            assign_story(article)
    update_related(article)


@transaction.atomic(savepoint=False)  # part of the caller's unit of work (the runner's publish, group_into_story)
def assign_story(article: Article, index: StoryIndex | None = None) -> int:
    """Join the best-matching story (or the story of the article this one copies), or open a new one;
    returns the story's id."""
    if article.story_locked and article.story_id:
        return article.story_id
    locks.serialise("stories")
    with WARM.lock:
        # The lock is this transaction's until it ends: record_changes (the article's save) need not take it.
        _DECIDING.locked = True
        try:
            return _assign(article, index or WARM.index_for(article))
        finally:
            _DECIDING.locked = False


_DECIDING = threading.local()  # `locked`: this thread is inside assign_story, in its transaction


def _assign(article: Article, index: StoryIndex) -> int:
    entry = prepared(index, article_doc(article))
    decision = index.decide(entry, explain=False)
    when = article.shown_at
    joined = decision.story and Story.objects.filter(pk=int(decision.story)).update(
        updated_at=Greatest("updated_at", Value(when)))
    if joined:
        article.story_id = int(decision.story)
    else:
        article.story = Story.objects.create(title=entry.doc.title[:500], created_at=when, updated_at=when)
    article.duplicate_of_id = int(decision.duplicate_of) if decision.duplicate_of else None
    article.save(update_fields=["story", "duplicate_of"])  # logged as a StoryChange (connect())
    WARM.expect(article, entry)
    WARM.keep_backfill(article, entry, index)
    return article.story_id


def update_related(article: Article, index: StoryIndex | None = None) -> list[RelatedArticle]:
    """Store the top related articles from other stories; each of them learns of this one too.

    Outside the stories lock, from this process's warm index as it is (related posts are a hint for
    readers, not shared state: they need no ordering across workers, and the lock is kept short)."""
    with WARM.lock:
        index = index or WARM.current_for(article)
        # The article enters the warm index (every process's) through the change log once its
        # transaction has committed; here it is asked about without being added.
        entry = index.entries.get(str(article.pk))
        if entry is None:
            entry = prepared(index, article_doc(article))
            entry.story = str(article.story_id)
        found = index.related_to(entry)
    # Only links a reader of this site can read and that are really related: no score-0 filler
    # (none rather than filler), nothing left in another language untranslated.
    scored = in_site_language([(int(other), score) for other, score in found if score > 0])
    with transaction.atomic():
        RelatedArticle.objects.filter(article=article).delete()
        # Articles that were "related" before this one joined their story are now coverage, not related.
        if article.story_id:
            RelatedArticle.objects.filter(related=article, article__story_id=article.story_id).delete()
        links = RelatedArticle.objects.bulk_create(
            [RelatedArticle(article=article, related_id=other, score=score) for other, score in scored])
        RelatedArticle.objects.bulk_create(  # a link the other article already has keeps its score
            [RelatedArticle(article_id=other, related=article, score=score) for other, score in scored],
            ignore_conflicts=True)
    return links


def in_site_language(scored: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """The links whose article is in the site language or translated into it."""
    if not scored:
        return scored
    readable = set(Article.objects.filter(pk__in=[pk for pk, _ in scored])
                   .filter(Q(translations__language=settings.SITE_LANGUAGE)
                           | Q(language=settings.SITE_LANGUAGE)
                           | Q(language="", source__language=settings.SITE_LANGUAGE))
                   .values_list("pk", flat=True))
    return [(pk, score) for pk, score in scored if pk in readable]


@transaction.atomic
def merge_stories(stories: list[Story]) -> Story:
    """An editor's merge: every article moves to the oldest story and is locked there."""
    target, *others = sorted(stories, key=lambda story: (story.created_at, story.pk))
    record_changes(Article.objects.filter(story__in=others).values_list("pk", flat=True))
    Article.objects.filter(story__in=others).update(story=target)
    Article.objects.filter(story=target).update(story_locked=True)
    Story.objects.filter(pk__in=[story.pk for story in others]).delete()
    drop_related_within(target)
    events.content_changed(Article.objects.filter(story=target).values_list("pk", flat=True))
    return target


@transaction.atomic
def split_articles(articles: list[Article], title: str = "") -> Story:
    """An editor's split: these articles leave their stories for a new one and are locked there."""
    first = min(articles, key=lambda article: (article.shown_at, article.pk))
    shown = first.translation or first
    when = first.shown_at
    left = {article.story_id for article in articles if article.story_id}
    story = Story.objects.create(title=(title or shown.title)[:500], created_at=when, updated_at=when)
    Article.objects.filter(pk__in=[article.pk for article in articles]).update(story=story, story_locked=True)
    record_changes(article.pk for article in articles)
    Story.objects.filter(pk__in=left, articles__isnull=True).delete()
    events.content_changed(article.pk for article in articles)
    return story


def drop_related_within(story: Story) -> None:
    """Related posts come from other stories; links inside one merged story are coverage now."""
    RelatedArticle.objects.filter(article__story=story, related__story=story).delete()


# -- keeping the change log ---------------------------------------------------------------------

INDEXED_FIELDS = {"status", "story", "title", "lead", "body_html", "published_at", "fetched_at"}


def _article_saved(sender, instance: Article, update_fields=None, **kwargs) -> None:
    if instance.story_id and (update_fields is None or INDEXED_FIELDS & set(update_fields)):
        instance._story_changes = record_changes([instance.pk])


def _article_deleted(sender, instance: Article, **kwargs) -> None:
    if instance.story_id:
        record_changes([instance.pk])


def _translation_saved(sender, instance: Translation, **kwargs) -> None:
    if instance.language == settings.SITE_LANGUAGE and Article.objects.filter(
            pk=instance.article_id, story__isnull=False).exists():
        record_changes([instance.article_id])


def connect() -> None:
    """Saves and deletions through the ORM log themselves; bulk updates call record_changes()."""
    from django.db.models.signals import post_delete, post_save

    post_save.connect(_article_saved, sender=Article, dispatch_uid="stories-article")
    post_delete.connect(_article_deleted, sender=Article, dispatch_uid="stories-article-delete")
    post_save.connect(_translation_saved, sender=Translation, dispatch_uid="stories-translation")
    post_delete.connect(_translation_saved, sender=Translation, dispatch_uid="stories-translation-delete")
