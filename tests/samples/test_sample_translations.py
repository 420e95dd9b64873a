"""The sample edition's translations by the editors: a sentence-level translation memory that publishes
the Ukrainian sample articles in English without any engine, labelled as the editors' work."""

from __future__ import annotations

import json
import re
from collections import Counter

import lxml.html
import pytest
from django.conf import settings

from tests.factories import remove_everything_ingested
from vistka.cli.demo import configure_sample_sources
from vistka.core.models import (
    EDITORS,
    Article,
    ArticleStatus,
    Translation,
    TranslationMemory,
)
from vistka.pipeline.run import resume_unfinished, run_once
from vistka.pipeline.translate.memory import import_editors_translations
from vistka.pipeline.translate.packages import install_package, remove_package
from vistka.pipeline.translate.segments import correct_segments, segment_rows
from vistka.pipeline.translate.translating import translate_into_site_language
from vistka.samples import load_gold, load_translations, translation_pairs
from vistka.samples.server import outlets

GOLD = load_gold()
UKRAINIAN = {entry["id"]: entry for entry in GOLD if entry["language"] == "uk"}
TRANSLATIONS = load_translations()


def _held_out() -> tuple[str, tuple[str, str]]:
    """An article and one sentence of it that no other article has: left out of the memory."""
    counts = Counter(pair for pairs in TRANSLATIONS.values() for pair in set(pairs))
    article_id = "ukrvisti-sumy-strike"
    return article_id, next(pair for pair in reversed(TRANSLATIONS[article_id]) if counts[pair] == 1)


HELD_OUT_ID, HELD_OUT_PAIR = _held_out()


@pytest.fixture(scope="module")
def edition(sample_server, django_db_setup, django_db_blocker):
    """The samples ingested without any engine, the editors' memory missing one sentence of one article."""
    with django_db_blocker.unblock():
        imported = import_editors_translations([p for p in translation_pairs() if p != HELD_OUT_PAIR], "uk", "en")
        run_once(configure_sample_sources(sample_server.base_url))
        by_id = {entry["id"]: Article.objects.get(url=entry["url"].replace("{{BASE}}", sample_server.base_url))
                 for entry in GOLD}
        yield {"imported": imported, "articles": by_id, "base": sample_server.base_url}
        remove_everything_ingested()
        TranslationMemory.objects.all().delete()


def test_the_translations_are_of_sample_articles_in_ukrainian():
    assert set(TRANSLATIONS) <= set(UKRAINIAN)
    assert len(TRANSLATIONS) >= 78
    for article_id, pairs in TRANSLATIONS.items():
        assert pairs and all(uk.strip() and en.strip() for uk, en in pairs), article_id
        assert not any(re.search("[а-яіїєґ]", en, re.IGNORECASE) for _uk, en in pairs), article_id


@pytest.mark.django_db
def test_covered_articles_publish_as_translated_by_the_editors(edition):
    covered = [article_id for article_id in TRANSLATIONS if article_id != HELD_OUT_ID]
    for article_id in covered:
        article = edition["articles"][article_id]
        assert article.status == ArticleStatus.PUBLISHED, (article_id, article.error)
        translation = article.translations.get(language="en")
        assert (translation.engine, translation.provenance, translation.reviewed) == (EDITORS, "editors", True)
        # The editors' text passes the same QA as an engine's: numbers, months, names (glossary), length.
        assert translation.flags == [], (article_id, translation.flags)
    title = edition["articles"]["svoboda-auschwitz-80"].translation.title
    assert title.startswith("80 years after the liberation of Auschwitz")


@pytest.mark.django_db
def test_an_article_the_memory_does_not_fully_cover_waits_for_an_engine(edition):
    article = edition["articles"][HELD_OUT_ID]
    article.refresh_from_db()
    assert article.status == ArticleStatus.AWAITING_TRANSLATION
    assert "vistka translate install uk en" in article.error
    assert not article.translations.exists()


@pytest.mark.django_db
def test_pages_api_feeds_and_json_ld_say_who_translated(edition, client):
    article = edition["articles"]["svoboda-sumy-strike"]
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Translated by the editors from Ukrainian" in page and "Machine-translated" not in page
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert data["translator"] == {"@type": "Organization", "name": f"{settings.SITE_NAME} editors"}
    assert data["translationOfWork"]["inLanguage"] == "uk" and data["inLanguage"] == "en"
    record = client.get(f"/api/articles/{article.pk}").json()
    assert record["translated"] is True
    assert record["translation"] == {"provenance": "editors", "engine": "", "model_id": "", "reviewed": True}
    english = client.get(f"/api/articles/{edition['articles']['ledger-sumy-strike'].pk}").json()
    assert english["translation"] is None
    assert "(translated by the editors)" in client.get("/feed.rss").content.decode()


@pytest.mark.django_db
def test_outlets_are_named_by_their_own_domains(edition, client):
    domains = {outlet["slug"]: outlet["domain"] for outlet in outlets()}
    assert all(domain.endswith(".example") for domain in domains.values())  # fictional, and says so
    for article_id in ("svoboda-odesa-strike", "pravda-odesa-strike", "ukrvisti-odesa-strike"):
        article = edition["articles"][article_id]
        page = client.get(article.get_absolute_url()).content.decode()
        domain = domains[article_id.split("-")[0]]
        visible = _visible_text(page)
        assert "127.0.0.1" not in visible, article_id
        assert f"— writes {domain}" in visible, article_id
        if article.source.licence_mode != "full":
            assert f"Read the full article at {domain} →" in visible, article_id
        source_page = _visible_text(client.get(article.source.get_absolute_url()).content.decode())
        assert domain in source_page and "127.0.0.1" not in source_page
    about = _visible_text(client.get("/about/").content.decode())
    assert all(domain in about for domain in domains.values()) and "127.0.0.1" not in about


def _visible_text(page: str) -> str:
    body = lxml.html.fromstring(page).body
    for hidden in body.xpath("//script | //style"):
        hidden.drop_tree()
    return " ".join(body.text_content().split())


@pytest.mark.django_db
def test_editors_can_correct_their_own_translation(edition):
    translation = edition["articles"]["pravda-odesa-strike"].translation
    rows = segment_rows(translation)
    assert rows and all(row.translation and row.corrected for row in rows)
    source = rows[0].source
    corrected = correct_segments(translation, {source: "Strike on the historic centre of Odesa"})
    assert corrected.title == "Strike on the historic centre of Odesa" and corrected.engine == EDITORS


@pytest.mark.django_db
def test_import_keeps_one_row_per_sentence_and_takes_changes(edition):
    pairs = [pair for pair in translation_pairs() if pair != HELD_OUT_PAIR]
    assert edition["imported"] == len(pairs)
    assert import_editors_translations(pairs, "uk", "en") == 0
    uk, _en = pairs[-1]
    assert import_editors_translations([(uk, "A better sentence.")], "uk", "en") == 1
    assert TranslationMemory.objects.get(engine=EDITORS, source_text=uk).target_text == "A better sentence."


@pytest.mark.django_db
def test_installing_a_model_later_translates_what_the_editors_did_not(edition, tiny_package):
    install_package("uk", "en", settings.TRANSLATION_PACKAGES_DIR, from_path=tiny_package, progress=False)
    try:
        resume_unfinished()
        # With an engine at hand, an article the editors translated keeps their translation.
        covered = Article.objects.get(pk=edition["articles"]["dnipro-sumy-strike"].pk)
        assert translate_into_site_language(covered) == (True, "")
        assert covered.translations.get().engine == EDITORS
    finally:
        remove_package("uk", "en", settings.TRANSLATION_PACKAGES_DIR)
    held_out = Article.objects.get(pk=edition["articles"][HELD_OUT_ID].pk)
    assert held_out.status == ArticleStatus.PUBLISHED
    assert held_out.translation.engine == "ctranslate2" and held_out.translation.provenance == "machine"
    assert Translation.objects.filter(engine=EDITORS).count() == len(TRANSLATIONS) - 1
