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
    backfill = _stored(source, 20, old + timedelta(hours=3), f"{TOPICS[1]} {TOPICS[1]} after {TOPICS[2]}")
    with transaction.atomic():
        grouping.assign_story(backfill)
    decided = len(builds)  # 1, or 0 when the last backfill's index was carried on
    grouping.update_related(backfill)
    assert len(builds) == decided <= 1  # the related posts reuse the decision's index
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
    comes from the kept texts (a digest of the body), the same text strip_tags gives."""
    from django.utils.html import strip_tags

    from vistka.core import plaintext

    parsed = []
    monkeypatch.setattr(plaintext, "strip_tags", lambda html: parsed.append(html) or strip_tags(html))
    monkeypatch.setattr(plaintext, "_TEXTS", type(plaintext._TEXTS)())
    bodies = [f"<p>Report {number} on the <b>bridge</b> &amp; the river.</p>" for number in range(200)]
    first = [plaintext.tags_stripped(body) for body in bodies]
    again = [plaintext.tags_stripped(body) for body in bodies]
    assert first == again == [strip_tags(body) for body in bodies]
    assert len(parsed) == 200  # each body once, though 200 is more than the few around one decision


def _same_as_a_fresh_build(index, article: Article, original) -> None:
    """`index` holds what build_index would read for `article` now, entry for entry, and decides alike."""
    fresh = original(article)
    assert set(index.entries) == set(fresh.entries)
    for key, entry in fresh.entries.items():
        assert index.entries[key].terms == entry.terms, key
    probe = grouping.article_doc(article)
    assert index.decide(index.prepare(probe)).reasons == fresh.decide(fresh.prepare(probe)).reasons


def test_an_archive_backfilled_in_order_carries_one_index_along(monkeypatch):
    """An outlet's archive arrives days apart, older than the warm index reaches: each decision takes
    the last backfill's index, drops what left its span and reads what came in, instead of building
    one — and holds what a fresh build holds."""
    source = make_source(name="Port Gazette", language="en", homepage="https://port.example/")
    now = timezone.now()
    for n in range(3):
        _ingest(source, n, now - timedelta(hours=n), TOPICS[n % 4])
    builds = []
    original = grouping.build_index
    monkeypatch.setattr(grouping, "build_index", lambda *a, **k: builds.append(1) or original(*a, **k))
    old = now - timedelta(days=400)
    archive = []
    for n in range(10, 30):  # 3 days apart: 57 days, twice the span a backfill decision reads
        archive.append(_ingest(source, n, old + timedelta(days=3 * (n - 10)), TOPICS[n % 4]))
        if n > 10:
            _same_as_a_fresh_build(grouping.WARM._backfill.index, archive[-1], original)
        _ingest(source, 100 + n, now - timedelta(minutes=n), TOPICS[(n + 1) % 4])  # the warm index's news between
    assert len(builds) == 1
    assert len(grouping.WARM._backfill.index.entries) < len(archive)  # the older ones left its span


def test_articles_changed_elsewhere_are_read_again_when_the_index_is_carried(monkeypatch):
    source = make_source(name="Port Gazette", language="en", homepage="https://port.example/")
    now = timezone.now()
    _ingest(source, 0, now, TOPICS[0])
    old = now - timedelta(days=400)
    archive = [_ingest(source, n, old + timedelta(days=n), TOPICS[n % 4]) for n in range(1, 8)]
    edited, withdrawn = archive[2], archive[3]
    edited.title, edited.body_html = "Tram depot fire in Lviv", "<p>A tram depot burned in Lviv overnight.</p>"
    edited.save(update_fields=["title", "body_html"])  # another worker, or an editor
    withdrawn.status = ArticleStatus.WITHDRAWN
    withdrawn.save(update_fields=["status"])
    builds = []
    original = grouping.build_index
    monkeypatch.setattr(grouping, "build_index", lambda *a, **k: builds.append(1) or original(*a, **k))
    following = _ingest(source, 9, old + timedelta(days=9), "tram depot fire in Lviv")
    assert builds == []
    index = grouping.WARM._backfill.index
    assert str(withdrawn.pk) not in index.entries
    assert "lviv" in {term.lstrip("@") for term in index.entries[str(edited.pk)].terms}
    _same_as_a_fresh_build(index, following, original)
    assert following.story_id == edited.story_id


def test_a_backfill_far_from_the_last_one_builds_its_own_index(monkeypatch):
    source = make_source(name="Port Gazette", language="en", homepage="https://port.example/")
    now = timezone.now()
    _ingest(source, 0, now, TOPICS[0])
    for n in range(1, 4):
        _ingest(source, n, now - timedelta(days=400 + n), TOPICS[n % 4])
    builds = []
    original = grouping.build_index
    monkeypatch.setattr(grouping, "build_index", lambda *a, **k: builds.append(1) or original(*a, **k))
    far = _ingest(source, 9, now - timedelta(days=900), TOPICS[1])
    assert builds == [1]
    _same_as_a_fresh_build(grouping.WARM._backfill.index, far, original)


def test_archives_of_two_periods_backfilled_in_turn_carry_on_an_index_each(monkeypatch):
    """Two outlets' archives (or one archive in no order) come back to the same months in turn: each
    backfill carries on the held index of its own period, which holds what a fresh build holds."""
    source = make_source(name="Port Gazette", language="en", homepage="https://port.example/")
    now = timezone.now()
    _ingest(source, 0, now, TOPICS[0])
    builds = []
    original = grouping.build_index
    monkeypatch.setattr(grouping, "build_index", lambda *a, **k: builds.append(1) or original(*a, **k))
    periods = [now - timedelta(days=400), now - timedelta(days=900)]
    for n in range(1, 13):
        article = _ingest(source, n, periods[n % 2] + timedelta(days=n), TOPICS[n % 4])
        _same_as_a_fresh_build(grouping.WARM._backfill.index, article, original)
    assert len(builds) == 2  # one a period
    assert len(grouping.WARM._spares) == 1


def test_spare_backfill_indexes_stay_within_their_bounds(monkeypatch):
    monkeypatch.setattr(grouping, "BACKFILL_SPARES", 3)
    monkeypatch.setattr(grouping, "BACKFILL_SPARE_TERMS", 40)  # three one-article indexes, two of two articles
    source = make_source(name="Port Gazette", language="en", homepage="https://port.example/")
    now = timezone.now()
    _ingest(source, 0, now, TOPICS[0])
    periods = [now - timedelta(days=400 + 100 * k) for k in range(5)]
    held = []
    for n, period in enumerate(periods * 2):  # then each period's index holds two articles
        _ingest(source, 10 + n, period + timedelta(hours=n), TOPICS[n % 4])
        spares = grouping.WARM._spares
        assert len(spares) <= 3 and sum(spare.index.term_count for spare in spares) <= 40
        held.append(len(spares))
    assert held == [0, 1, 2, 3, 3, 3, 2, 2, 2, 2]
    builds = []
    original = grouping.build_index
    monkeypatch.setattr(grouping, "build_index", lambda *a, **k: builds.append(1) or original(*a, **k))
    _ingest(source, 50, periods[-1] + timedelta(hours=1), TOPICS[0])  # the period backfilled last: carried
    _ingest(source, 51, periods[0] + timedelta(hours=1), TOPICS[0])  # the first, let go long since: built
    assert builds == [1]
