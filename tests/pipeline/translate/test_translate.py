"""Translation stage: engines, article HTML, sentence splitting (no Django needed).

The ctranslate2 tests run a real (tiny, random-weight) Argos package through the production path:
install → load → SentencePiece → translate_batch → detokenize. Its output is gibberish, so they
check shape, determinism and HTML structure, not wording. Package management: test_translate_packages.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import lxml.html
import pytest

from vistka.pipeline.translate import (
    Ctranslate2Settings,
    IdentityEngine,
    TranslationError,
    TranslationUnavailable,
    get_engine,
    split_sentences,
    translate_article,
)
from vistka.pipeline.translate.ctranslate2_engine import Ctranslate2Engine, PivotEngine
from vistka.pipeline.translate.packages import install_package
from vistka.testing.tiny_model import build_tiny_argos_package

ARTICLE_HTML = (
    '<h2>Новини дня</h2>\n'
    '<p>За даними <a href="https://www.ukrinform.ua/a?x=1&amp;y=2">Укрінформу</a>, уряд ухвалив рішення. '
    'В. Зеленський заявив, що це важливо.</p>\n'
    '<blockquote><p>Ми готові до змін.</p></blockquote>\n'
    '<ul><li>Перший пункт</li><li>Другий пункт</li></ul>\n'
    '<figure><img src="/media/a.jpg" alt=""><figcaption>Фото: автор</figcaption></figure>\n'
    '<p>Рядок один<br>Рядок два</p>'
)


class FakeEngine:
    """Translates by lookup (default: upper-case) and records every call."""

    name = "fake"
    model_id = "fake:1"

    def __init__(self, table: dict[str, str] | None = None) -> None:
        self.table = table or {}
        self.calls: list[list[str]] = []

    def translate_texts(self, texts: list[str], source_lang: str, target_lang: str) -> list[str]:
        self.calls.append(list(texts))
        return [self.table.get(text, text.upper()) for text in texts]


class SpyTranslator:
    """Wraps a ctranslate2.Translator and counts translate_batch calls."""

    def __init__(self, translator) -> None:
        self.translator = translator
        self.batches: list[int] = []

    def translate_batch(self, batch, **options):
        self.batches.append(len(batch))
        return self.translator.translate_batch(batch, **options)


@pytest.fixture()
def packages_dir(tmp_path: Path, tiny_package: Path) -> Path:
    install_package("uk", "en", tmp_path, from_path=tiny_package)
    return tmp_path


def tag_paths(html: str) -> list[str]:
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    return [element.getroottree().getpath(element) for element in root.iter() if isinstance(element.tag, str)]


# --- "none" engine and availability -------------------------------------------------------------


def test_none_engine_is_identity_for_the_same_language(tmp_path: Path) -> None:
    engine = get_engine("uk", "uk-UA", engine="none", packages_dir=tmp_path)

    assert isinstance(engine, IdentityEngine)
    assert engine.translate_texts(["Привіт", ""], "uk", "uk") == ["Привіт", ""]
    article = translate_article("Т", "Л", "<p>Текст</p>", "uk", "uk", engine)
    assert (article.title, article.lead, article.body_html, article.engine) == ("Т", "Л", "<p>Текст</p>", "none")


def test_none_engine_refuses_another_language(tmp_path: Path) -> None:
    with pytest.raises(TranslationUnavailable, match="vistka translate install uk en"):
        get_engine("uk", "en", engine="none", packages_dir=tmp_path)
    with pytest.raises(TranslationUnavailable):
        translate_article("Т", "", "", "uk", "en", IdentityEngine())


def test_missing_package_says_how_to_install_it(tmp_path: Path) -> None:
    with pytest.raises(TranslationUnavailable, match=r"no uk→en translation package.*`vistka translate install uk en`"):
        get_engine("uk", "en", packages_dir=tmp_path / "nothing-here")


def test_unknown_engine_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(TranslationUnavailable, match="unknown translation engine 'deepl'"):
        get_engine("uk", "en", engine="deepl", packages_dir=tmp_path)


# --- ctranslate2 engine on the tiny real package ------------------------------------------------


def test_ctranslate2_engine_translates_one_string_per_input_deterministically(packages_dir: Path) -> None:
    engine = get_engine("uk", "en", packages_dir=packages_dir)
    texts = ["В. Зеленський заявив, що переговори тривають.", "", "   ", "Погода: сонячно, +25 °C."]

    first = engine.translate_texts(texts, "uk", "en")
    second = engine.translate_texts(texts, "uk", "en")

    assert isinstance(engine, Ctranslate2Engine)
    assert (engine.name, engine.model_id) == ("ctranslate2", "argos:uk_en-1.0")
    assert first == second
    assert len(first) == 4 and all(isinstance(text, str) for text in first)
    assert first[1] == first[2] == ""  # blank input never reaches the model
    assert first[0] and "▁" not in first[0]


def test_ctranslate2_engine_rejects_another_pair(packages_dir: Path) -> None:
    engine = get_engine("uk", "en", packages_dir=packages_dir)
    with pytest.raises(TranslationUnavailable, match="translates uk→en"):
        engine.translate_texts(["Hallo"], "de", "en")


def test_unsupported_compute_type_falls_back(packages_dir: Path) -> None:
    settings = Ctranslate2Settings(compute_type="float16", beam_size=1, intra_threads=1)  # no float16 on CPU
    engine = get_engine("uk", "en", packages_dir=packages_dir, settings=settings)
    assert len(engine.translate_texts(["Уряд ухвалив рішення."], "uk", "en")) == 1


def test_broken_model_is_unavailable_with_reinstall_hint(packages_dir: Path) -> None:
    (packages_dir / "uk_en" / "model" / "model.bin").write_bytes(b"not a model")
    with pytest.raises(TranslationUnavailable, match="vistka translate install uk en"):
        get_engine("uk", "en", packages_dir=packages_dir)


def test_pivot_through_english(packages_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    en_de = build_tiny_argos_package(tmp_path_factory.mktemp("en-de"), "en", "de", zip=True)
    install_package("en", "de", packages_dir, from_path=en_de)

    engine = get_engine("uk", "de", packages_dir=packages_dir)

    assert isinstance(engine, PivotEngine)
    assert engine.model_id == "argos:uk_en-1.0+argos:en_de-1.0"
    assert len(engine.translate_texts(["Уряд ухвалив рішення.", ""], "uk", "de")) == 2


def test_article_with_the_real_engine_keeps_structure_in_one_batch(packages_dir: Path) -> None:
    engine = get_engine("uk", "en", packages_dir=packages_dir)
    spy = engine.translator = SpyTranslator(engine.translator)

    article = translate_article("Уряд ухвалив рішення", "Коротко. Про головне.", ARTICLE_HTML, "uk", "en", engine)

    assert len(spy.batches) == 1  # title, lead and every block sentence in one translate_batch call
    assert spy.batches[0] >= 10
    assert (article.engine, article.model_id) == ("ctranslate2", "argos:uk_en-1.0")
    assert article.title and article.lead
    root = lxml.html.fragment_fromstring(article.body_html, create_parent="div")
    assert [child.tag for child in root] == ["h2", "p", "blockquote", "ul", "figure", "p"]
    assert root.xpath("//a/@href") == ["https://www.ukrinform.ua/a?x=1&y=2"]  # link kept (found or appended)
    assert root.xpath("//img/@src") == ["/media/a.jpg"]
    assert len(root.xpath("//li")) == 2 and len(root.xpath("//br")) == 1
    assert translate_article("Уряд ухвалив рішення", "Коротко. Про головне.", ARTICLE_HTML, "uk", "en",
                             engine) == article  # deterministic


# --- translate_article with a fake engine (exact text checks) -----------------------------------


def test_article_blocks_are_translated_in_place_with_one_engine_call() -> None:
    engine = FakeEngine()

    article = translate_article("Заголовок", "Лід. Друге речення.", ARTICLE_HTML, "uk", "en", engine)

    assert len(engine.calls) == 1
    assert (article.title, article.lead) == ("ЗАГОЛОВОК", "ЛІД. ДРУГЕ РЕЧЕННЯ.")
    assert tag_paths(article.body_html) == tag_paths(ARTICLE_HTML)
    assert '<a href="https://www.ukrinform.ua/a?x=1&amp;y=2">УКРІНФОРМУ</a>, УРЯД' in article.body_html
    assert "<li>ПЕРШИЙ ПУНКТ</li>" in article.body_html
    assert "<p>РЯДОК ОДИН<br>РЯДОК ДВА</p>" in article.body_html
    assert "<figcaption>ФОТО: АВТОР</figcaption>" in article.body_html
    # Sentences are split before translation (the splitter keeps "В. Зеленський" together).
    assert "В. Зеленський заявив, що це важливо." in engine.calls[0]
    assert "За даними Укрінформу, уряд ухвалив рішення." in engine.calls[0]


def test_translated_text_is_escaped() -> None:
    engine = FakeEngine({"Текст.": "<script>alert(1)</script> & co", "Заголовок": "A <b> & C"})

    article = translate_article("Заголовок", "", "<p>Текст.</p>", "uk", "en", engine)

    assert article.body_html == "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</p>"
    assert article.title == "A <b> & C"  # plain text: escaping is the template's job


def test_link_the_model_rephrased_is_kept_after_the_line() -> None:
    engine = FakeEngine({"Читайте на сайті Укрінформу.": "Read it on the Ukrinform website.",
                         "сайті Укрінформу": "Ukrinform's site"})

    article = translate_article("", "", '<p>Читайте на <a href="https://u.ua/">сайті Укрінформу</a>.</p>',
                                "uk", "en", engine)

    assert article.body_html == '<p>Read it on the Ukrinform website. (<a href="https://u.ua/">Ukrinform\'s site</a>)</p>'


def test_link_that_is_the_whole_block_wraps_the_whole_translation() -> None:
    engine = FakeEngine({"Усі новини дня": "All the news of the day"})

    article = translate_article("", "", '<li><a href="/news" class="more">Усі новини дня</a></li>', "uk", "en", engine)

    assert article.body_html == '<li><a href="/news" class="more">All the news of the day</a></li>'


def test_empty_article_needs_no_engine_call() -> None:
    engine = FakeEngine()
    article = translate_article("", "", "", "uk", "en", engine)
    assert (article.title, article.lead, article.body_html) == ("", "", "")
    assert engine.calls == []


def test_engine_failure_becomes_translation_error() -> None:
    class Broken(FakeEngine):
        def translate_texts(self, texts, source_lang, target_lang):
            raise RuntimeError("out of memory")

    with pytest.raises(TranslationError, match="out of memory"):
        translate_article("Заголовок", "", "", "uk", "en", Broken())


def test_repeated_sentences_are_translated_once() -> None:
    engine = FakeEngine()
    translate_article("Фото: автор", "", "<p>Фото: автор</p><p>Фото: автор</p>", "uk", "en", engine)
    assert engine.calls == [["Фото: автор"]]


# --- sentence splitter ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("В. Зеленський заявив, що переговори тривають. Деталей немає.",
     ["В. Зеленський заявив, що переговори тривають.", "Деталей немає."]),
    ("Т.Г. Шевченко народився у 1814 р. у Моринцях.", ["Т.Г. Шевченко народився у 1814 р. у Моринцях."]),
    ("Ціни на хліб, молоко і т.д. зросли.", ["Ціни на хліб, молоко і т.д. зросли."]),
    ("Музей відзначив 80-річчя. 80-річчя святкували всі.", ["Музей відзначив 80-річчя.", "80-річчя святкували всі."]),
    ("Мешканці вул. Грушевського скаржаться. Театр ім. Франка показав прем'єру!",
     ["Мешканці вул. Грушевського скаржаться.", "Театр ім. Франка показав прем'єру!"]),
    ("Він сказав: «Ми готові». Чи надовго? Побачимо…", ["Він сказав: «Ми готові».", "Чи надовго?", "Побачимо…"]),
    ("Prices rose 12.5% in 2024. Mr. Smith agreed.", ["Prices rose 12.5% in 2024.", "Mr. Smith agreed."]),
    ("  \n ", []),
])
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_overlong_sentences_are_cut_at_spaces() -> None:
    pieces = split_sentences("слово " * 300)
    assert all(len(piece) <= 500 for piece in pieces)
    assert " ".join(pieces) == ("слово " * 300).strip()


def test_package_folder_with_stanza_is_not_needed(tmp_path: Path, tiny_package: Path) -> None:
    # Real Argos packages carry stanza/ (sentence splitting data); vistka does not copy it.
    with zipfile.ZipFile(tiny_package) as bundle:
        bundle.extractall(tmp_path / "unpacked")
    folder = next((tmp_path / "unpacked").iterdir())
    (folder / "stanza" / "uk").mkdir(parents=True)
    (folder / "stanza" / "uk" / "tokenize.pt").write_bytes(b"x" * 1000)
    installed = install_package("uk", "en", tmp_path / "packages", from_path=folder)
    assert not (installed / "stanza").exists()
    assert len(get_engine("uk", "en", packages_dir=tmp_path / "packages").translate_texts(["Так."], "uk", "en")) == 1


def test_link_inside_formatting_keeps_its_href() -> None:
    article = translate_article("", "", '<p>Див. <strong>звіт <a href="/r">тут</a></strong>.</p>', "uk", "en", FakeEngine())
    assert article.body_html == '<p>ДИВ. ЗВІТ <a href="/r">ТУТ</a>.</p>'


def test_package_is_importable_without_django_or_ctranslate2() -> None:
    code = ("import sys, vistka.pipeline.translate; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'ctranslate2', 'torch')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parents[3], env={**os.environ, "DJANGO_SETTINGS_MODULE": ""})
    assert result.stdout.strip() == "[]"


def test_link_is_found_case_insensitively_without_trailing_punctuation() -> None:
    engine = FakeEngine({"Звіт Укрінформу опубліковано.": "The Ukrinform report was published.",
                         "Укрінформу": "ukrinform."})
    article = translate_article("", "", '<p>Звіт <a href="/u">Укрінформу</a> опубліковано.</p>', "uk", "en", engine)
    assert article.body_html == '<p>The <a href="/u">Ukrinform</a> report was published.</p>'
