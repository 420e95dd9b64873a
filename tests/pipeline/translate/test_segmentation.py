"""Segmentation: Ukrainian and Russian sentences, and article structure kept around them."""

from __future__ import annotations

import lxml.html
import pytest

from vistka.pipeline.translate import article_segments, split_sentences, translate_article


@pytest.mark.parametrize(("text", "expected"), [
    # Ukrainian: initials, abbreviations, numbers with suffixes, quotes.
    ("Указ підписав В. Зеленський. Він набув чинності.", ["Указ підписав В. Зеленський.", "Він набув чинності."]),
    ("Ціни на газ, світло і т.д. зросли. Уряд мовчить.", ["Ціни на газ, світло і т.д. зросли.", "Уряд мовчить."]),
    ("Театр ім. Лесі Українки на вул. Богдана Хмельницького відкрився.",
     ["Театр ім. Лесі Українки на вул. Богдана Хмельницького відкрився."]),
    ("Місто відзначає 80-річчя визволення. 1500 людей прийшли.",
     ["Місто відзначає 80-річчя визволення.", "1500 людей прийшли."]),
    ("«Ми не здамося», — сказав він. «Ніколи!» Зал аплодував.",
     ["«Ми не здамося», — сказав він.", "«Ніколи!»", "Зал аплодував."]),
    # Russian.
    ("Указ подписал В.В. Путин. Он вступил в силу.", ["Указ подписал В.В. Путин.", "Он вступил в силу."]),
    ("Пожар на ул. Ленина потушили. Пострадавших нет.", ["Пожар на ул. Ленина потушили.", "Пострадавших нет."]),
    ("Театр им. Пушкина, т.е. главный театр, закрыт. Почему?",
     ["Театр им. Пушкина, т.е. главный театр, закрыт.", "Почему?"]),
    ("Он заявил: «Мы готовы». Переговоры продолжатся.", ["Он заявил: «Мы готовы».", "Переговоры продолжатся."]),
])
def test_ukrainian_and_russian_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


class Upper:
    name, model_id = "upper", "upper:1"

    def translate_texts(self, texts, source_lang, target_lang):
        return [text.upper() for text in texts]


def test_paragraphs_links_title_and_lead_survive_translation() -> None:
    body = ('<p>Перше речення. Друге з <a href="https://ex.org/a?b=1&amp;c=2">посиланням</a> тут.</p>'
            '<p>Другий абзац.</p>')
    result = translate_article("Заголовок", "Лід статті.", body, "uk", "en", Upper())

    assert (result.title, result.lead) == ("ЗАГОЛОВОК", "ЛІД СТАТТІ.")
    root = lxml.html.fragment_fromstring(result.body_html, create_parent="div")
    paragraphs = root.findall("p")
    assert len(paragraphs) == 2
    link = paragraphs[0].find("a")
    assert link.get("href") == "https://ex.org/a?b=1&c=2"  # href untouched
    assert link.text == "ПОСИЛАННЯМ"  # link text translated
    assert paragraphs[1].text_content() == "ДРУГИЙ АБЗАЦ."
    assert ("Перше речення.", "ПЕРШЕ РЕЧЕННЯ.") in result.segments


def test_article_segments_lists_what_the_engine_gets() -> None:
    assert article_segments("Заголовок", "Лід.", "<p>Раз. Два.</p><p>Раз.</p>") == ["Заголовок", "Лід.", "Раз.", "Два."]
