"""The warm, per-process story index decides exactly as an index built afresh from the database.

Ingest (and every worker) keeps one StoryIndex per process and updates it from the StoryChange log;
these tests hold it against grouping.build_index — a fresh index of the same articles — at every
step, across two "processes", and after editors' changes, take-downs, deletions and rollbacks.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_source
from vistka.core.models import Article, ArticleStatus, Story, StoryChange, Translation
from vistka.pipeline.publish.moderation import withdraw_articles
from vistka.pipeline.stories import grouping
from vistka.pipeline.stories.index import StoryParams
from vistka.testing.story_gold import load_gold_articles

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def gold_articles():
    """The English gold corpus as stored articles (not yet grouped), in publication order."""
    source = make_source("Gold", "en", "https://gold.test/")
    stored = []
    for n, item in enumerate(load_gold_articles()):
        doc = item.doc
        stored.append(Article.objects.create(
            source=source, guid=doc.id, url=f"https://gold.test/{n}", title=doc.title, lead=doc.lead,
            body_html=f"<p>{doc.text}</p>", language="en", status=ArticleStatus.PUBLISHED,
            published_at=doc.published, fetched_at=timezone.now()))
    return stored


def decide_both_ways(article: Article, warm: grouping.WarmIndex):
    params = StoryParams.from_options()
    warm_index, fresh_index = warm.index_for(article, params), grouping.build_index(article, params)
    assert held(warm_index) == held(fresh_index)
    entry = grouping.prepared(fresh_index, grouping.article_doc(article))
    return warm_index.decide(warm_index.prepare(entry.doc)), fresh_index.decide(entry)


def held(index) -> dict:
    """What an index holds of each article: its story, time, term weights, evidence and signature."""
    return {key: (entry.story, entry.doc.published, entry.weights, entry.evidence,
                  entry.signature and list(entry.signature.hashvalues))  # (none for a short text)
            for key, entry in index.entries.items()}


def test_warm_index_decides_as_a_fresh_one_at_every_step(gold_articles):
    other_process = grouping.WarmIndex()
    for article in gold_articles:
        ours, fresh = decide_both_ways(article, grouping.WARM)
        assert (ours.story, ours.duplicate_of, ours.score, ours.reasons) == (
            fresh.story, fresh.duplicate_of, fresh.score, fresh.reasons), article.title
        theirs, _ = decide_both_ways(article, other_process)
        assert theirs.reasons == fresh.reasons
        with transaction.atomic():
            grouping.assign_story(article)
            grouping.update_related(article)
    assert Story.objects.count() < len(gold_articles) and StoryChange.objects.count() >= len(gold_articles)


def test_own_committed_decisions_are_synced_without_reading_them_back(gold_articles, django_assert_num_queries):
    first, second, third = gold_articles[:3]
    for article in (first, second):
        with transaction.atomic():
            grouping.assign_story(article)
    with django_assert_num_queries(1):  # the change log; no article read back
        index = grouping.WARM.index_for(third)
    assert held(index) == held(grouping.build_index(third))
    Article.objects.filter(pk=second.pk).update(title="Changed elsewhere")
    grouping.record_changes([second.pk])  # another process's change after ours: read back
    index = grouping.WARM.index_for(third)
    assert held(index) == held(grouping.build_index(third))
    assert set(index.entries[str(second.pk)].weights[0]) == {"change", "elsewh"}  # stemmed title words


def test_a_stale_copy_is_not_remembered_as_the_stored_article(gold_articles):
    """Another process changed the article (not yet in a story, so nothing was logged) after this one
    loaded it: the decision is made from the old copy, but the warm index holds what is stored."""
    first, retitled, withdrawn, probe = gold_articles[:4]
    grouping.assign_story(first)
    stale = [Article.objects.get(pk=article.pk) for article in (retitled, withdrawn)]
    Article.objects.filter(pk=retitled.pk).update(title="Completely different headline")
    Article.objects.filter(pk=withdrawn.pk).update(status=ArticleStatus.WITHDRAWN)
    for article in stale:
        grouping.assign_story(article)
    index = grouping.WARM.index_for(probe)
    assert held(index) == held(grouping.build_index(probe))
    assert str(withdrawn.pk) not in index.entries
    assert set(index.entries[str(retitled.pk)].weights[0]) == {"comple", "differ", "headli"}


def test_a_decision_on_a_translation_changed_elsewhere_is_not_remembered(gold_articles):
    """The stored-row check covers the site translation the decision read: an unchanged one is synced
    from memory; one retranslated (or added) by another process meanwhile is read back."""
    from django.conf import settings

    first, kept, retranslated, added, probe = gold_articles[:5]
    for article in (kept, retranslated):
        Translation.objects.create(article=article, language=settings.SITE_LANGUAGE, title=article.title,
                                   lead=article.lead, body_html=article.body_html, engine="test")
    with transaction.atomic():
        grouping.assign_story(first)
    copies = [Article.objects.select_related("source").get(pk=article.pk) for article in (kept, retranslated, added)]
    for copy in copies:
        assert grouping.article_doc(copy).title  # its translation (or none) read, as a decision reads it
    Translation.objects.filter(article=retranslated).update(title="Completely different headline")
    Translation.objects.create(article=added, language=settings.SITE_LANGUAGE, title="Another different headline",
                               lead="", body_html="<p>Other text.</p>", engine="test")
    for copy in copies:
        with transaction.atomic():
            grouping.assign_story(copy)
        with CaptureQueriesContext(connection) as queries:
            grouping.WARM.index_for(probe)
        # The change log alone, or the log and the article read back (with its source and translation).
        assert len(queries) == (1 if copy.pk == kept.pk else 3), copy.pk
    index = grouping.WARM.index_for(probe)
    assert held(index) == held(grouping.build_index(probe))
    assert set(index.entries[str(retranslated.pk)].weights[0]) == {"comple", "differ", "headli"}
    assert set(index.entries[str(added.pk)].weights[0]) == {"anothe", "differ", "headli"}


def test_a_window_jump_after_a_quiet_spell_keeps_only_the_new_window(gold_articles):
    *earlier, late = gold_articles
    for article in earlier:
        grouping.assign_story(article)
    assert len(grouping.WARM.index_for(late).entries) > 10
    late.published_at += timedelta(days=40)
    late.save(update_fields=["published_at"])
    grouping.assign_story(late)
    index = grouping.WARM.index_for(late)
    assert held(index) == held(grouping.build_index(late))
    assert set(index.entries) == {str(late.pk)}


def test_the_newest_clock_looks_past_future_dated_articles(gold_articles):
    """A clock is the publication time, or the fetch time when the date lies in the future: the walk
    down publication times must not stop at a future-dated article."""
    first, second, third = gold_articles[:3]
    now = timezone.now()
    dated = [(first, now + timedelta(days=30), now - timedelta(hours=5)),  # future date, fetched 5 h ago
             (second, now - timedelta(hours=2), now - timedelta(hours=1)),  # the newest clock
             (third, now - timedelta(days=1), now)]
    for article, published, fetched in dated:
        Article.objects.filter(pk=article.pk).update(published_at=published, fetched_at=fetched,
                                                     story=Story.objects.create(title=article.title))
    assert grouping.newest_grouped() == now - timedelta(hours=2)
    Article.objects.filter(pk=second.pk).update(story=None)  # not grouped: not held
    assert grouping.newest_grouped() == now - timedelta(hours=5)


def test_arrival_order_does_not_change_the_index(gold_articles):
    shuffled = gold_articles[:]
    random.Random(3).shuffle(shuffled)
    for article in shuffled:
        grouping.assign_story(article)
    warm = grouping.WARM.index_for(gold_articles[-1])
    fresh = grouping.build_index(gold_articles[-1])
    probe = grouping.article_doc(gold_articles[-1])
    assert warm.decide(warm.prepare(probe)).reasons == fresh.decide(fresh.prepare(probe)).reasons


def test_editor_changes_take_downs_and_deletions_reach_the_warm_index(gold_articles):
    for article in gold_articles:
        grouping.assign_story(article)
    last = gold_articles[-1]
    index = grouping.WARM.index_for(last)
    present = [article for article in gold_articles[:-1] if str(article.pk) in index.entries]
    withdrawn, deleted, moved = present[0], present[1], present[5]

    withdraw_articles(Article.objects.filter(pk=withdrawn.pk))
    deleted.delete()
    story_ids = list(dict.fromkeys(Article.objects.get(pk=article.pk).story_id for article in present[2:]
                                   if article.pk != moved.pk))[:2]
    stories = list(Story.objects.filter(pk__in=story_ids))
    merged = grouping.merge_stories(stories)
    split = grouping.split_articles([moved], title="Split off")

    index = grouping.WARM.index_for(last)
    fresh = grouping.build_index(last)
    assert {key: entry.story for key, entry in index.entries.items()} == {
        key: entry.story for key, entry in fresh.entries.items()}
    assert str(withdrawn.pk) not in index.entries and str(deleted.pk) not in index.entries
    assert index.entries[str(moved.pk)].story == str(split.pk)
    assert str(merged.pk) in index.stories and len(stories) == 2


def test_a_rolled_back_decision_leaves_no_trace(gold_articles):
    first, second = gold_articles[:2]
    grouping.assign_story(first)
    with pytest.raises(RuntimeError), transaction.atomic():
        grouping.assign_story(second)
        grouping.update_related(second)
        raise RuntimeError("worker died")
    second.refresh_from_db()
    assert second.story_id is None
    assert set(grouping.WARM.index_for(second).entries) == {str(first.pk)}


def test_a_vanished_database_state_is_noticed(gold_articles):
    """The change last applied is gone (a restored backup): the index is rebuilt, not trusted."""
    for article in gold_articles[:3]:
        grouping.assign_story(article)
    grouping.WARM.index_for(gold_articles[3])
    StoryChange.objects.all().delete()
    Article.objects.filter(pk=gold_articles[0].pk).update(story=None)
    assert str(gold_articles[0].pk) not in grouping.WARM.index_for(gold_articles[3]).entries


def test_backfill_older_than_the_window_uses_an_index_of_its_own_time(gold_articles):
    for article in gold_articles:
        grouping.assign_story(article)
    old = gold_articles[0]
    params = StoryParams.from_options()
    Article.objects.filter(pk=gold_articles[-1].pk).update(published_at=old.published_at + timedelta(days=60),
                                                          fetched_at=old.published_at + timedelta(days=60))
    grouping.record_changes([gold_articles[-1].pk])
    backfill = grouping.WARM.index_for(old, params)
    assert set(grouping.WARM.index.entries) == {str(gold_articles[-1].pk)}  # the window moved on
    assert backfill is not grouping.WARM.index and {str(old.pk), str(gold_articles[1].pk)} <= set(backfill.entries)


def story_partition() -> set[frozenset]:
    groups: dict = {}
    for url, story in Article.objects.values_list("url", "story_id"):
        groups.setdefault(story, set()).add(url)
    return {frozenset(urls) for urls in groups.values()}


def test_settling_makes_the_stories_independent_of_arrival_order(gold_articles):
    from vistka.pipeline.stories.settle import settle_recent

    arrived, settled = [], []
    for seed in SEEDS_THAT_DISAGREE:
        Article.objects.update(story=None, duplicate_of=None)
        Story.objects.all().delete()
        grouping.WARM = grouping.WarmIndex()
        shuffled = gold_articles[:]
        random.Random(seed).shuffle(shuffled)
        for article in shuffled:
            grouping.assign_story(article)
        arrived.append(story_partition())
        assert settle_recent(hours=1) > 0
        assert settle_recent(hours=1) == 0  # settled stays settled
        settled.append(story_partition())
    assert arrived[0] != arrived[1]  # the orders were chosen to disagree when grouping online
    assert settled[0] == settled[1]
    assert not Story.objects.filter(articles__isnull=True).exists()


SEEDS_THAT_DISAGREE = (1, 3)


def test_an_article_redated_with_its_text_unchanged_is_held_with_the_days_of_its_new_date():
    """Its terms and signature may come from the process's cache; its event days ("yesterday", "on
    Monday") must not: they are read against the publication date, as a fresh process reads them."""
    source = make_source("Gold", "en", "https://gold.test/")
    published = timezone.now() - timedelta(days=30)
    article = Article.objects.create(
        source=source, guid="redated", url="https://gold.test/redated", title="Bridge fire in Odesa port",
        body_html="<p>The bridge burned yesterday, officials said on Monday. Firefighters worked through the "
                  "night to stop the flames from reaching the grain terminal, and the harbour master closed "
                  "the northern berths to all ships until engineers have inspected the damaged spans.</p>",
        language="en", status=ArticleStatus.PUBLISHED, published_at=published, fetched_at=timezone.now())
    with transaction.atomic():
        grouping.assign_story(article)
    article.published_at = published - timedelta(days=3)  # an editor corrects the date, not the text
    article.save(update_fields=["published_at"])
    index = grouping.WARM.index_for(article)
    held_days = index.entries[str(article.pk)].evidence.days
    assert held_days == index.prepare(grouping.article_doc(article)).evidence.days  # computed afresh
    before = dataclasses.replace(grouping.article_doc(article), published=published)
    assert held_days != index.prepare(before).evidence.days  # (the days did move)
