"""The translate stage with the database: memory, glossary, QA flags, review, retries, engine choice."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.factories import make_article, make_source
from tests.pipeline.translate.test_http_engines import ApiServer, libre_translator
from vistka.core.models import ArticleStatus, GlossaryEntry, Source, Translation, TranslationMemory
from vistka.desk.status import status_lines
from vistka.pipeline.run import process_stored_article, resume_unfinished
from vistka.pipeline.translate import TranslationError, translating
from vistka.pipeline.translate.memory import memory_stats
from vistka.pipeline.translate.packages import install_package

pytestmark = pytest.mark.django_db


class CountingEngine:
    """Translates by prefixing "EN:" (Cyrillic kept, so QA flags it) and records what it was sent."""

    def __init__(self, name: str = "fake", model_id: str = "fake:1", fail: bool = False) -> None:
        self.name, self.model_id, self.fail = name, model_id, fail
        self.sent: list[str] = []

    def translate_texts(self, texts, source_lang, target_lang):
        if self.fail:
            raise TranslationError("fake: no answer within 60 s (timeout)")
        self.sent.extend(texts)
        return [f"EN: {text}" for text in texts]


@pytest.fixture()
def engine(monkeypatch) -> CountingEngine:
    fake = CountingEngine()
    monkeypatch.setattr(translating, "engine_for", lambda language, name=None: fake)
    return fake


def untranslated(n: int, body: str, title: str | None = None, source=None):
    source = source or Source.objects.filter(name="Radio Test").first() or make_source()
    return make_article(source, n, translated=False, title=title, body_html=body,
                        status=ArticleStatus.FETCHED)


def test_memory_translates_each_segment_once(engine: CountingEngine) -> None:
    boilerplate = "<p>Підписуйтесь на наш канал.</p>"
    first = untranslated(1, "<p>Перша новина.</p>" + boilerplate)
    process_stored_article(first)
    assert engine.sent == ["Заголовок 1", "Лід статті.", "Перша новина.", "Підписуйтесь на наш канал."]

    engine.sent.clear()
    second = untranslated(2, "<p>Друга новина.</p>" + boilerplate, source=first.source)
    process_stored_article(second)
    assert engine.sent == ["Заголовок 2", "Друга новина."]  # lead and boilerplate came from memory
    assert "EN: Підписуйтесь на наш канал." in second.translation.body_html

    stats = memory_stats()
    assert (stats.segments, stats.hits, stats.translated) == (6, 2, 6)
    assert "Translation memory: 6 segments, hit rate 25.0% (2 reused, 6 translated by an engine)" in status_lines()


def test_memory_is_per_engine_and_model(engine: CountingEngine) -> None:
    process_stored_article(untranslated(1, "<p>Текст.</p>"))
    engine.model_id = "fake:2"
    engine.sent.clear()
    process_stored_article(untranslated(2, "<p>Текст.</p>"))
    assert "Текст." in engine.sent
    assert TranslationMemory.objects.filter(source_text="Текст.").count() == 2


def test_translation_carries_engine_model_and_flags(engine: CountingEngine) -> None:
    article = untranslated(1, "<p>Ставка зросла до 14,5%.</p>")
    process_stored_article(article)
    translation = Translation.objects.get(article=article)
    assert (translation.engine, translation.model_id) == ("fake", "fake:1")
    assert {flag["kind"] for flag in translation.flags} == {"cyrillic"}  # "EN: Ставка..." keeps Cyrillic
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED  # by default flags do not hold publication


def test_flagged_translation_waits_for_an_editor(engine: CountingEngine, settings) -> None:
    settings.TRANSLATION_HOLD_FLAGS = ["cyrillic"]
    article = untranslated(1, "<p>Текст.</p>")
    process_stored_article(article)
    article.refresh_from_db()
    assert article.status == ArticleStatus.IN_REVIEW
    assert article.error == "translation flagged for review: cyrillic"
    assert resume_unfinished() == 0  # an editor, not the next run, releases it
    assert any("1 in review: translation flagged" in line for line in status_lines())


def test_failed_translation_is_retried_later_and_never_half_published(engine: CountingEngine) -> None:
    engine.fail = True
    article = untranslated(1, "<p>Перше речення. Друге речення.</p>")
    process_stored_article(article)
    article.refresh_from_db()
    assert article.status == ArticleStatus.AWAITING_TRANSLATION
    assert "timeout" in article.error
    assert not Translation.objects.filter(article=article).exists()

    engine.fail = False
    assert resume_unfinished() == 1
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED
    assert "EN: Друге речення." in article.translation.body_html


def test_source_overrides_the_site_engine(settings) -> None:
    with ApiServer(libre_translator) as server:
        settings.LIBRETRANSLATE_URL = server.url
        settings.TRANSLATION_ENGINE = "none"  # the site engine could not translate this article
        source = make_source()
        source.translation_engine = "libretranslate"
        source.save()
        article = untranslated(1, "<p>Текст.</p>", source=source)
        process_stored_article(article)
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED
    assert article.translation.engine == "libretranslate" and article.translation.title == "en:Заголовок 1"


def test_default_glossary_is_loaded_on_migrate() -> None:
    entry = GlossaryEntry.objects.get(source_lang="uk", target_lang="en", source="Кір Стармер")
    assert entry.target == "Keir Starmer" and "Kir Starmer" in entry.variants
    assert GlossaryEntry.objects.filter(source="ЗСУ", target="Armed Forces of Ukraine").exists()


def test_glossary_through_the_real_ctranslate2_path(tiny_package: Path, tmp_path: Path, settings, monkeypatch) -> None:
    settings.TRANSLATION_PACKAGES_DIR = tmp_path
    settings.TRANSLATION_ENGINE = "ctranslate2"
    install_package("uk", "en", tmp_path, from_path=tiny_package)
    engine = translating.engine_for("uk")
    seen: list[list[str]] = []
    original = engine.translator.translate_batch
    monkeypatch.setattr(engine, "translator", type("Spy", (), {
        "translate_batch": lambda self, batch, **kw: seen.extend(batch) or original(batch, **kw)})())
    monkeypatch.setattr(translating, "engine_for", lambda language, name=None: engine)

    article = untranslated(1, "<p>Кіра Стармера зустріли у Києві 27 січня.</p>", title="Візит")
    process_stored_article(article)

    sent = [engine.tokenizer.decode_pieces(pieces) for pieces in seen]
    assert "Keir Starmer зустріли у Kyiv 27 січня." in sent  # names substituted before the model
    translation = Translation.objects.get(article=article)
    assert translation.engine == "ctranslate2" and translation.model_id == "argos:uk_en-1.0"
    kinds = {flag["kind"] for flag in translation.flags}
    # The random model writes neither the names nor the date back: every doubt is flagged.
    assert {"glossary", "number", "date"} <= kinds


def test_editor_correction_goes_into_memory_and_the_article(engine: CountingEngine, admin_client, settings) -> None:
    settings.TRANSLATION_HOLD_FLAGS = ["*"]
    article = untranslated(1, "<p>Уряд ухвалив рішення.</p>")
    process_stored_article(article)
    article.refresh_from_db()
    assert article.status == ArticleStatus.IN_REVIEW and article.story is None
    translation = Translation.objects.get(article=article)
    url = f"/admin/core/translation/{translation.pk}/segments/"

    page = admin_client.get(url).content.decode()
    assert "Уряд ухвалив рішення." in page and "EN: Уряд ухвалив рішення." in page
    assert "fake:1" in page

    rows = ["Заголовок 1", "Лід статті.", "Уряд ухвалив рішення."]
    form = {f"segment-{i}": f"EN: {text}" for i, text in enumerate(rows)}
    form["segment-2"] = "The government made a decision."
    response = admin_client.post(url, form | {"publish": "1"})
    assert response.status_code == 302

    translation.refresh_from_db()
    assert "The government made a decision." in translation.body_html and translation.reviewed
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED and article.story is not None  # grouped once published
    memory = TranslationMemory.objects.get(source_text="Уряд ухвалив рішення.")
    assert memory.corrected and memory.target_text == "The government made a decision."

    engine.sent.clear()  # the same sentence in a later article gets the editor's wording
    later = untranslated(2, "<p>Уряд ухвалив рішення.</p>", source=article.source)
    process_stored_article(later)
    assert "Уряд ухвалив рішення." not in engine.sent
    assert "The government made a decision." in later.translation.body_html


def test_admin_lists_translations_memory_and_glossary(engine: CountingEngine, admin_client) -> None:
    process_stored_article(untranslated(1, "<p>Текст.</p>"))
    for url in ("/admin/core/translation/", "/admin/core/translationmemory/", "/admin/core/glossaryentry/"):
        assert admin_client.get(url).status_code == 200
    assert "cyrillic" in admin_client.get("/admin/core/translation/").content.decode()


def test_glossary_cli_loads_a_file_without_overwriting_editors(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from vistka.cli import main

    GlossaryEntry.objects.filter(source="Київ").update(target="Kyiv (edited)")
    path = tmp_path / "extra.yaml"
    path.write_text("source_lang: uk\ntarget_lang: en\nentries:\n"
                    "  - {source: Київ, target: Kyiv}\n  - {source: Буча, target: Bucha, kind: place}\n")
    result = CliRunner().invoke(main, ["glossary", "load", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 added, 0 updated" in result.output
    assert GlossaryEntry.objects.get(source="Київ").target == "Kyiv (edited)"
    result = CliRunner().invoke(main, ["glossary", "load", str(path), "--replace"])
    assert "0 added, 2 updated" in result.output and GlossaryEntry.objects.get(source="Київ").target == "Kyiv"


def test_article_page_names_engine_and_model(engine: CountingEngine, client) -> None:
    article = untranslated(1, "<p>Текст.</p>")
    process_stored_article(article)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "fake (fake:1)" in page and "view original" in page


def test_editor_adds_a_glossary_entry_in_the_admin(engine: CountingEngine, admin_client) -> None:
    response = admin_client.post("/admin/core/glossaryentry/add/", {
        "source_lang": "uk", "target_lang": "en", "source": "Буча", "target": "Bucha", "kind": "place",
        "variants": "Bucza, Butcha"})
    assert response.status_code == 302
    entry = GlossaryEntry.objects.get(source="Буча")
    assert entry.variants == ["Bucza", "Butcha"]
    assert "Bucza, Butcha" in admin_client.get(f"/admin/core/glossaryentry/{entry.pk}/change/").content.decode()

    process_stored_article(untranslated(1, "<p>Делегація приїхала до Бучі.</p>"))
    assert "Делегація приїхала до Bucha." in engine.sent  # the inflected "Бучі" matched the new entry


def test_admin_action_publishes_reviewed_translations(engine: CountingEngine, admin_client, settings) -> None:
    settings.TRANSLATION_HOLD_FLAGS = ["cyrillic"]
    article = untranslated(1, "<p>Текст.</p>")
    process_stored_article(article)
    translation = Translation.objects.get(article=article)
    response = admin_client.post("/admin/core/translation/", {
        "action": "publish_reviewed", "_selected_action": [translation.pk]})
    assert response.status_code == 302
    article.refresh_from_db()
    translation.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED and translation.reviewed
    process_stored_article(article)  # a reviewed translation is not held again
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED
