"""The model's shared queries on articles, defined once (issue 19, item 4): the published articles with
their site translation (the site, the API and the story index read the same query), an article's display
time, and the due sources (the embedded loop and the distributed scheduler ask the same question)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import make_article, make_source
from vistka.core.models import Article, ArticleStatus, Story, Translation


def test_shown_at_is_the_publication_time_else_the_fetch_time():
    fetched = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    published = fetched - timedelta(hours=5)
    assert Article(published_at=published, fetched_at=fetched).shown_at == published
    # An entry stored without a date (a failed fetch keeps the feed's, which may be missing).
    assert Article(published_at=None, fetched_at=fetched).shown_at == fetched


@pytest.mark.django_db
def test_published_with_translation_holds_only_published_articles_and_the_site_translation(
        settings, django_assert_num_queries):
    settings.SITE_LANGUAGE = "en"
    source = make_source()
    shown = make_article(source, 1)
    Translation.objects.create(article=shown, language="de", title="Schlagzeile", engine="ctranslate2")
    untranslated = make_article(source, 2, translated=False)
    for n, status in enumerate([ArticleStatus.IN_REVIEW, ArticleStatus.REJECTED, ArticleStatus.WITHDRAWN,
                                ArticleStatus.FETCHED, ArticleStatus.AWAITING_TRANSLATION], start=3):
        make_article(source, n, status=status)

    with django_assert_num_queries(2):  # the articles (their source joined), then their translations
        found = {article.pk: article for article in Article.objects.published_with_translation()}
    assert set(found) == {shown.pk, untranslated.pk}
    with django_assert_num_queries(0):
        assert all(article.take_prefetched_translation() for article in found.values())
        assert found[shown.pk].translation.title == "Headline 1"  # the site language's, not the German one
        assert found[untranslated.pk].translation is None
        assert found[shown.pk].source.name == source.name


@pytest.mark.django_db
def test_an_article_loaded_without_the_prefetch_looks_its_translation_up():
    article = Article.objects.get(pk=make_article(make_source(), 1).pk)
    assert article.take_prefetched_translation() is False
    assert article.translation.title == "Headline 1"


@pytest.mark.django_db
def test_the_site_the_api_and_the_story_index_read_the_one_query():
    from vistka.api.shaping import public_articles
    from vistka.pipeline.stories.grouping import grouped
    from vistka.site.views.common import published_articles

    source = make_source()
    story = Story.objects.create(title="A story")
    in_story, loose = make_article(source, 1, story=story), make_article(source, 2)
    make_article(source, 3, story=story, status=ArticleStatus.IN_REVIEW)

    model = {article.pk for article in Article.objects.published_with_translation()}
    assert model == {in_story.pk, loose.pk}
    assert {article.pk for article in published_articles()} == model
    assert {article.pk for article in public_articles()} == model
    assert {article.pk for article in grouped()} == {in_story.pk}  # the story index: those in a story


def test_the_distributed_scheduler_asks_the_embedded_loops_due_sources():
    from vistka.pipeline.sources import schedule
    from vistka.workers import scheduler

    assert scheduler.due_sources is schedule.due_sources
