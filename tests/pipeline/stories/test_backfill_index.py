"""A backfill (an article older than the warm story index reaches) is decided in an index built for its
own time; its related posts, asked right after, reuse that index — and get what a fresh one gives."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from tests.factories import make_source
from vistka.core.models import Article, ArticleStatus, RelatedArticle
from vistka.pipeline.stories import grouping

pytestmark = pytest.mark.django_db(transaction=True)

TOPICS = ["harbour crane collapse injures dockers in Odesa port", "central bank raises interest rate again",
          "floods close mountain roads in Carpathian villages", "new metro line opens in Kharkiv suburbs"]


def _stored(source, n: int, when, topic: str) -> Article:
    return Article.objects.create(source=source, guid=f"g{n}", url=f"https://port.example/{n}", language="en",
                                  title=f"{topic.capitalize()} report {n}", status=ArticleStatus.PUBLISHED,
                                  body_html=f"<p>{topic} {topic} witnesses said on day {n}.</p>",
                                  published_at=when, fetched_at=timezone.now())


def _ingest(source, n: int, when, topic: str) -> Article:
    article = _stored(source, n, when, topic)
    with transaction.atomic():
        grouping.assign_story(article)
    grouping.update_related(article)
    return article


def test_related_posts_of_a_backfill_reuse_its_index_and_match_a_fresh_one(monkeypatch):
    source = make_source(name="Port Gazette", language="en", homepage="https://port.example/")
    now = timezone.now()
    for n in range(6):  # the warm index's window: this week
        _ingest(source, n, now - timedelta(hours=n), TOPICS[n % 4])
    old = now - timedelta(days=200)
    for n in range(6, 14):  # an old period, around the backfill's date
        _ingest(source, n, old + timedelta(hours=n), TOPICS[n % 4])
    builds = []
    original = grouping.build_index
    monkeypatch.setattr(grouping, "build_index", lambda *a, **k: builds.append(1) or original(*a, **k))
    # Mostly the bank's story, with words of the floods: related posts outside its own story.
    backfill = _ingest(source, 20, old + timedelta(hours=3), f"{TOPICS[1]} {TOPICS[1]} after {TOPICS[2]}")
    assert len(builds) == 1  # built for the decision, reused for the related posts
    stored = list(RelatedArticle.objects.filter(article=backfill).order_by("-score", "related_id")
                  .values_list("related_id", "score"))
    fresh = original(backfill).related_to(original(backfill).entries[str(backfill.pk)])
    expected = grouping.in_site_language([(int(other), score) for other, score in fresh if score > 0])
    assert stored and sorted(stored, key=lambda p: (-p[1], p[0])) == sorted(expected, key=lambda p: (-p[1], p[0]))


def test_a_change_by_another_process_in_between_means_a_fresh_build(monkeypatch):
    source = make_source(name="Port Gazette", language="en", homepage="https://port.example/")
    now = timezone.now()
    for n in range(3):
        _ingest(source, n, now - timedelta(hours=n), TOPICS[n % 4])
    old = now - timedelta(days=200)
    for n in range(6, 10):
        _ingest(source, n, old + timedelta(hours=n), TOPICS[n % 4])
    backfill = _stored(source, 20, old + timedelta(hours=3), TOPICS[0])
    with transaction.atomic():
        grouping.assign_story(backfill)
    grouping.record_changes([backfill.pk - 1])  # another worker moved an article meanwhile
    builds = []
    original = grouping.build_index
    monkeypatch.setattr(grouping, "build_index", lambda *a, **k: builds.append(1) or original(*a, **k))
    grouping.update_related(backfill)
    assert builds == [1]


def test_bodies_read_again_by_later_backfill_indexes_are_parsed_once(monkeypatch):
    """The indexes built for backfills of the same days re-read the same articles: their plain text
    comes from the cache (a digest of the body), the same text strip_tags gives."""
    from django.utils.html import strip_tags

    parsed = []
    monkeypatch.setattr(grouping, "strip_tags", lambda html: parsed.append(html) or strip_tags(html))
    monkeypatch.setattr(grouping, "_PLAIN", type(grouping._PLAIN)())
    bodies = [f"<p>Report {number} on the <b>bridge</b> &amp; the river.</p>" for number in range(200)]
    first = [grouping._plain_text(body) for body in bodies]
    again = [grouping._plain_text(body) for body in bodies]
    assert first == again == [strip_tags(body) for body in bodies]
    assert len(parsed) == 200  # each body once, though 200 is more than the few around one decision
