"""Settling: the stories of recently fetched articles decided again, in publication order.

Online grouping decides each article as it arrives, so a story can depend on arrival order — which
outlet was polled first, which worker was quicker, a report that came in late. After each run
(embedded) or a burst of articles (workers, VISTKA_STORY_SETTLE_DELAY), every article of the warm
story index published since the earliest of those fetched within VISTKA_STORY_SETTLE_HOURS is
decided again in publication order (ties by URL), with the older articles as fixed context. The result depends only on which
articles are stored, so the embedded default and any number of workers end with the same stories.

Editors' decisions stand: locked articles are context, never moved. Story rows are kept where a
settled group still holds their articles, so story links stay valid.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from vistka.core import events, locks
from vistka.core.models import Article, Story
from vistka.pipeline.stories import grouping
from vistka.pipeline.stories.index import StoryIndex, StoryParams

log = logging.getLogger("vistka.stories")


def settle_recent(hours: float | None = None) -> int:
    """Decide again the stories of the articles fetched within `hours`; returns how many moved.

    Runs in this process's warm story index (the context is already there, prepared). Its changes
    to the index are kept only when they are stored for sure: when this transaction fails, or when
    the caller's transaction (if any) might still roll back, the index is rebuilt at its next use."""
    hours = settings.STORY_SETTLE_HOURS if hours is None else hours
    if hours <= 0:
        return 0
    inside_caller_transaction = transaction.get_connection().in_atomic_block
    try:
        with transaction.atomic():
            locks.serialise("stories")
            with grouping.WARM.lock:
                moved = _settle(timezone.now() - timedelta(hours=hours), StoryParams.from_options())
    except BaseException:
        grouping.WARM.index = None  # it may hold decisions that were not stored
        raise
    if inside_caller_transaction:
        grouping.WARM.index = None
    return moved


def _settle(since, params: StoryParams) -> int:
    warm = grouping.WARM
    warm.sync(params)
    if warm.newest is None:
        return 0
    floor = warm.newest - grouping.retention(params)  # older articles are not in the warm index
    earliest = (grouping.grouped().filter(fetched_at__gte=since, story_locked=False, published_at__gte=floor)
                .aggregate(earliest=Min("published_at"))["earliest"])
    if earliest is None:
        return 0
    # Everything published since the earliest new arrival is decided again, not only the new
    # arrivals: an article that came in late changes the decisions of the articles published after
    # it, and the stories must end as a pass in publication order leaves them (StoryIndex.settle).
    recent = list(grouping.grouped().filter(published_at__gte=earliest, story_locked=False)
                  .order_by("published_at", "url"))
    groups, copies = _decide_in_order(warm.index, recent)
    stories = _story_rows(recent, groups)
    left, joined, moved = set(), set(), []
    for article in recent:
        story_id, duplicate_of = stories[groups[article.pk]], copies[article.pk]
        warm.index.move(str(article.pk), str(story_id))
        if (article.story_id, article.duplicate_of_id) != (story_id, duplicate_of):
            moved.append(article.pk)
            if article.story_id != story_id:
                left.add(article.story_id)
                joined.add(story_id)
            article.story_id, article.duplicate_of_id = story_id, duplicate_of
            article.save(update_fields=["story", "duplicate_of"])  # logged for the warm indexes
    Story.objects.filter(pk__in=left - set(stories.values()), articles__isnull=True).delete()
    for story in Story.objects.filter(pk__in=joined):
        grouping.drop_related_within(story)
    if moved:
        events.content_changed(moved)
        log.info("settling changed %d of %d recent article(s)", len(moved), len(recent))
    return len(moved)


def _decide_in_order(index: StoryIndex, recent: list[Article]) -> tuple[dict[int, str], dict[int, int | None]]:
    """Each recent article's group (the id of a story of the context, or "new:<first member's pk>")
    and the article it copies: the recent articles leave the index, then come back one by one in
    publication order, each decided by what came before it."""
    entries = {}
    for article in recent:
        entries[article.pk] = index.entries.get(str(article.pk)) or grouping.prepared(index, grouping.doc_of(article))
        index.remove(str(article.pk))
    groups, copies = {}, {}
    for article in recent:
        decision = index.decide(entries[article.pk], explain=False)
        groups[article.pk] = decision.story or f"new:{article.pk}"
        copies[article.pk] = int(decision.duplicate_of) if decision.duplicate_of else None
        index.add(entries[article.pk], groups[article.pk])
    return groups, copies


def _story_rows(recent: list[Article], groups: dict[int, str]) -> dict[str, int]:
    """A Story row for every group: the context story it joined, else the story most of its members
    are in now (unless context articles are in it too, or an earlier group took it), else a new one."""
    members: dict[str, list[Article]] = {}
    for article in recent:
        members.setdefault(groups[article.pk], []).append(article)
    shared = set(Article.objects.filter(story_id__in={a.story_id for a in recent})
                 .exclude(pk__in=[a.pk for a in recent]).values_list("story_id", flat=True))
    rows, taken = {}, set()
    for group, articles in members.items():  # in order of each group's first report
        if not group.startswith("new:"):
            rows[group] = int(group)
            continue
        votes = Counter(a.story_id for a in articles if a.story_id not in shared and a.story_id not in taken)
        ranked = sorted(votes, key=lambda story: -votes[story])  # stable: ties go to the earliest report's
        if ranked:
            rows[group] = ranked[0]
        else:
            first = articles[0]
            shown = first.translation or first
            rows[group] = Story.objects.create(title=shown.title[:500], created_at=first.published_at,
                                               updated_at=articles[-1].published_at).pk
        taken.add(rows[group])
    return rows
