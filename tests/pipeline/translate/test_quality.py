"""QA flags: one test per kind, and the cases that must not be flagged."""

from __future__ import annotations

import pytest

from vistka.pipeline.translate.glossary import Glossary, Term
from vistka.pipeline.translate.quality import check_segment, check_segments


def kinds(source: str, translated: str, glossary: Glossary | None = None) -> list[tuple[str, str]]:
    return [(flag["kind"], flag["detail"]) for flag in check_segment(source, translated, "uk", "en", glossary)]


@pytest.mark.parametrize(("source", "translated"), [
    ("НБУ підвищив облікову ставку до 14,5%.", "The NBU raised its key rate to 14.5%."),
    ("Збитки сягнули 1 200 000 гривень.", "Losses reached 1,200,000 hryvnias."),
    ("Музей відзначив 80-річчя 27 січня 2025 року.", "The museum marked its 80th anniversary on January 27, 2025."),
    ("Фото: автор", "Photo: author"),
    ("Знадобиться щонайменше 200 тисяч миротворців.", "It would take at least 200,000 peacekeepers."),
    ("Завод переробляє 17 млн тонн на рік.", "The plant processes 17,000,000 tonnes a year."),
])
def test_faithful_translations_have_no_flags(source: str, translated: str) -> None:
    assert kinds(source, translated) == []


def test_missing_number() -> None:
    assert kinds("Ставку підвищили до 14,5% з 13,5%.", "The rate was raised to 14% from 13.5%.") == [("number", "14,5")]


def test_a_count_in_thousands_must_still_match() -> None:
    assert kinds("Знадобиться 200 тисяч військових.", "It would take 300,000 troops.") == [("number", "200")]


def test_missing_date() -> None:
    assert ("date", "January") in kinds("Це сталося 27 січня 2025 року.", "It happened on 27 2025.")


def test_cyrillic_left_in_the_output() -> None:
    assert kinds("Сирського призначили.", "Сирського was appointed.") == [("cyrillic", "Сирського")]


def test_glossary_term_not_honoured() -> None:
    glossary = Glossary([Term("Київ", "Kyiv", ("Kiev",))], "uk")
    assert kinds("Делегація прибула до Києва.", "The delegation arrived in the capital.", glossary) == \
        [("glossary", "Київ → Kyiv")]


def test_length_ratio_out_of_range() -> None:
    flags = kinds("Уряд ухвалив рішення про підвищення пенсій з першого березня.", "Yes.")
    assert [kind for kind, _ in flags] == ["length"]


def test_engine_returned_nothing() -> None:
    assert kinds("Уряд ухвалив рішення.", "")[0][0] == "engine"


def test_same_problem_is_reported_once_per_article() -> None:
    pairs = [("Це Київ.", "Це Київ."), ("І знову Київ.", "И знову Київ.")]
    flags = check_segments(pairs, "uk", "en")
    assert [flag["detail"] for flag in flags].count("Київ") == 1


def test_hold_setting_knows_every_flag() -> None:
    from vistka.config.options import QA_FLAGS, SettingError, read_options
    from vistka.pipeline.translate.quality import FLAG_KINDS

    assert QA_FLAGS == FLAG_KINDS
    assert read_options({"VISTKA_TRANSLATION_HOLD_FLAGS": "Number, glossary"})["VISTKA_TRANSLATION_HOLD_FLAGS"] == \
        ["number", "glossary"]
    with pytest.raises(SettingError, match="VISTKA_TRANSLATION_HOLD_FLAGS: unknown QA flag"):
        read_options({"VISTKA_TRANSLATION_HOLD_FLAGS": "numbr"})
