"""The whole pipeline against the bundled sample outlets on a local server (no internet)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import remove_everything_ingested
from vistka.cli.demo import configure_sample_sources
from vistka.core.models import Article, ArticleStatus, RelatedArticle, Topic, Translation
from vistka.pipeline.run import resume_unfinished, run_once
from vistka.pipeline.translate.packages import install_package, remove_package

GOLD = json.loads((Path(__file__).resolve().parents[2] / "vistka/samples/gold.json").read_text())


@pytest.fixture(scope="module")
def ingested(sample_server, django_db_setup, django_db_blocker):
    """One demo ingest without a translation package, shared by the tests below, removed afterwards."""
    with django_db_blocker.unblock():
        sources = configure_sample_sources(sample_server.base_url)
        first = run_once(sources)
        second = run_once(sources)
        yield {"first": first, "second": second, "base": sample_server.base_url}
        remove_everything_ingested()


def gold_url(entry: dict, base: str) -> str:
    return entry["url"].replace("{{BASE}}", base)


@pytest.mark.django_db
def test_every_sample_article_is_stored_once(ingested):
    assert all(not report.error for report in ingested["first"]), [r.error for r in ingested["first"]]
    stored = set(Article.objects.values_list("url", flat=True))
    assert stored == {gold_url(entry, ingested["base"]) for entry in GOLD}
    assert Article.objects.filter(status=ArticleStatus.FAILED).count() == 0


@pytest.mark.django_db
def test_second_fetch_adds_nothing(ingested):
    assert sum(report.new for report in ingested["second"]) == 0
    assert Article.objects.count() == len(GOLD)


@pytest.mark.django_db
def test_english_published_ukrainian_awaiting_translation(ingested):
    for entry in GOLD:
        article = Article.objects.get(url=gold_url(entry, ingested["base"]))
        assert article.language == entry["language"], entry["id"]
        if entry["language"] == settings.SITE_LANGUAGE:
            assert article.status == ArticleStatus.PUBLISHED, entry["id"]
        else:
            assert article.status == ArticleStatus.AWAITING_TRANSLATION, entry["id"]
            assert "vistka translate install uk en" in article.error


@pytest.mark.django_db
def test_feed_categories_become_topics(ingested, client):
    topic = Topic.objects.get(slug="sumy")
    assert topic.name == "Sumy" and topic.articles.exists()
    assert client.get("/topic/sumy/").status_code == 200
    assert Topic.objects.get(slug="national-bank-of-ukraine").articles.exists()  # a JSON-LD keyword


@pytest.mark.django_db
def test_lead_images_are_served_from_our_site(ingested, client):
    article = Article.objects.exclude(image_file="").filter(status=ArticleStatus.PUBLISHED).first()
    assert article is not None and article.image_width and article.image_height
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'src="/media/{article.image_file}"' in page and ingested["base"] not in page.split("<main")[0]
    assert client.get(f"/media/{article.image_file}").status_code == 200


@pytest.mark.django_db
def test_installing_a_package_translates_held_articles(ingested, tiny_package, client):
    install_package("uk", "en", settings.TRANSLATION_PACKAGES_DIR, from_path=tiny_package, progress=False)
    try:
        published = resume_unfinished()
    finally:
        remove_package("uk", "en", settings.TRANSLATION_PACKAGES_DIR)
    ukrainian = [entry for entry in GOLD if entry["language"] == "uk"]
    assert published == len(ukrainian)
    assert Translation.objects.filter(engine="ctranslate2", model_id__startswith="argos:").count() == len(ukrainian)
    article = Article.objects.filter(language="uk", status=ArticleStatus.PUBLISHED).exclude(read_also=[]).first()
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Machine-translated from Ukrainian" in page
    assert f'href="{article.url}"' in page and "— writes" in page
    # Related posts only when related: no score-0 filler anywhere on the sample site
    assert not RelatedArticle.objects.filter(score__lte=0).exists()
    assert ("Related posts" in page) == article.related_links.filter(score__gt=0).exists()
    assert "Read also" in page
    # The demo's look-alikes, the Sumy strike (31 January) and the Poltava strike (1 February), stay
    # apart where a story is decided on real text: the reports in the site's language. The translated
    # ones are decided on this random-weights model's gibberish: each must get a story, but which one
    # is chance (with sentencepiece 0.2.3 instead of 0.2.2, two reports' gibberish shared "іст" and
    # joined them, just over the threshold); their real texts are kept apart by the story gold's gate
    # (stories/test_story_eval.py).
    stories = {entry["story"]: set() for entry in GOLD if entry["story"] in ("sumy-strike", "poltava-strike")}
    for entry in GOLD:
        if entry["story"] in stories:
            found = Article.objects.get(url=gold_url(entry, ingested["base"]))
            assert found.status == ArticleStatus.PUBLISHED and found.story_id, entry["id"]
            if found.language == settings.SITE_LANGUAGE:
                stories[entry["story"]].add(found.story_id)
    assert all(stories.values()) and not stories["sumy-strike"] & stories["poltava-strike"], stories
