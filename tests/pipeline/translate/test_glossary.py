"""Glossary: inflected Ukrainian forms, substitution, enforcement, the shipped file and its schema."""

from __future__ import annotations

from pathlib import Path

import pytest

from vistka.pipeline.translate.glossary import Glossary, GlossaryEngine, Term

TERMS = [
    Term("Кір Стармер", "Keir Starmer", ("Kir Starmer",), "person"),
    Term("Олександр Сирський", "Oleksandr Syrskyi", ("Oleksandr Syrsky",), "person"),
    Term("Верховна Рада", "Verkhovna Rada", (), "institution"),
    Term("Київ", "Kyiv", ("Kiev",), "place"),
    Term("Одеса", "Odesa", ("Odessa",), "place"),
    Term("ОП", "Office of the President", (), "abbreviation"),
    Term("ЗСУ", "Armed Forces of Ukraine", (), "abbreviation"),
]


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return Glossary(TERMS, "uk")


@pytest.mark.parametrize(("text", "expected"), [
    ("Кір Стармер прибув.", "Keir Starmer прибув."),
    ("Зустріч із Кіром Стармером.", "Зустріч із Keir Starmer."),
    ("Кіра Стармера запросили.", "Keir Starmer запросили."),
    ("Олександра Сирського призначили.", "Oleksandr Syrskyi призначили."),
    ("Доповідь Олександру Сирському.", "Доповідь Oleksandr Syrskyi."),
    ("Засідання Верховної Ради у Києві.", "Засідання Verkhovna Rada у Kyiv."),
    ("У Верховній Раді та в Одесі.", "У Verkhovna Rada та в Odesa."),
    ("В ОП заявили, що ЗСУ тримають оборону.", "В Office of the President заявили, що Armed Forces of Ukraine тримають оборону."),
    ("Ой, оп — і все.", "Ой, оп — і все."),  # "оп" is not the abbreviation ОП
    ("Рада громади зібралась.", "Рада громади зібралась."),  # "Рада" alone is not "Верховна Рада"
])
def test_inflected_forms_are_matched_and_substituted(glossary: Glossary, text: str, expected: str) -> None:
    assert glossary.prepare(text) == expected


def test_wrong_forms_are_replaced_after_translation(glossary: Glossary) -> None:
    assert glossary.enforce("Kir Starmer met Oleksandr Syrsky in Kiev, not Kievan Rus.") == \
        "Keir Starmer met Oleksandr Syrskyi in Kyiv, not Kievan Rus."


def test_missing_terms(glossary: Glossary) -> None:
    missing = glossary.missing("Сирського викликали до Верховної Ради.", "Syrsky was called to the Supreme Council.")
    assert [term.target for term in missing] == ["Verkhovna Rada"]  # "Сирського" alone is no entry here
    assert glossary.missing("Удар по Одесі.", "A strike on Odesa.") == []


def test_glossary_engine_substitutes_before_and_enforces_after(glossary: Glossary) -> None:
    class Echo:
        name, model_id = "echo", "echo:1"
        seen: list[str] = []

        def translate_texts(self, texts, source_lang, target_lang):
            self.seen.extend(texts)
            return [text.replace("Keir Starmer", "Kir Starmer") for text in texts]

    inner = Echo()
    out = GlossaryEngine(inner, glossary).translate_texts(["Кіра Стармера привітали."], "uk", "en")
    assert inner.seen == ["Keir Starmer привітали."]
    assert out == ["Keir Starmer привітали."]


def test_shipped_glossary_is_valid_and_covers_the_issue_examples() -> None:
    from vistka.pipeline.translate.glossaries import DEFAULT_GLOSSARIES, read_glossary_file

    shipped = read_glossary_file(DEFAULT_GLOSSARIES[0])
    glossary = Glossary(shipped.terms, shipped.source_lang)
    text = "Кір Стармер, Київ, Одеса, Олександр Сирський, Верховна Рада, ОП, ЗСУ"
    assert glossary.prepare(text) == ("Keir Starmer, Kyiv, Odesa, Oleksandr Syrskyi, Verkhovna Rada, "
                                      "Office of the President, Armed Forces of Ukraine")


@pytest.mark.parametrize(("content", "message"), [
    ("entries: 3", "expected source_lang"),
    ("source_lang: uk\ntarget_lang: en\nentries:\n  - {source: Київ}", "source and target are required"),
    ("source_lang: uk\ntarget_lang: en\nentries:\n  - {source: Київ, target: Kyiv, kind: city}", "kind must be"),
    ("source_lang: uk\ntarget_lang: en\nentries:\n  - {source: Київ, target: Kyiv, colour: red}", "unknown keys colour"),
    ("source_lang: uk\ntarget_lang: en\nentries:\n  - {source: Київ, target: Kyiv}\n  - {source: Київ, target: Kiev}",
     "duplicate entries: Київ"),
    ("source_lang: uk\ntarget_lang: en\nentries:\n  - {source: Київ, target: Kyiv, variants: Kiev}", "variants must be"),
    ("source_lang: uk\n  bad: [", "cannot be read"),
])
def test_bad_glossary_files_name_the_problem(tmp_path: Path, content: str, message: str) -> None:
    from vistka.pipeline.translate.glossaries import GlossaryFileError, read_glossary_file

    path = tmp_path / "glossary.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(GlossaryFileError, match=message):
        read_glossary_file(path)


def test_russian_forms_and_languages_without_a_dictionary() -> None:
    russian = Glossary([Term("Верховная Рада", "Verkhovna Rada")], "ru")
    assert russian.prepare("Депутаты Верховной Рады проголосовали.") == "Депутаты Verkhovna Rada проголосовали."
    spelling_only = Glossary([Term("Kijów", "Kyiv")], "pl")  # no pymorphy dictionary: exact words only
    assert spelling_only.prepare("W Kijów dziś.") == "W Kyiv dziś." and spelling_only.prepare("W Kijowie.") == "W Kijowie."
