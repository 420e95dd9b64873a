"""The language stage: Cyrillic languages told apart by their letters, the rest by py3langid's model."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from vistka.pipeline import language
from vistka.pipeline.language import detect_language


def test_languages_are_detected_and_short_texts_keep_the_declared_one():
    assert detect_language("Президент заявив, що переговори тривають і сьогодні ввечері.") == "uk"
    assert detect_language("Президент заявил, что переговоры продолжаются и сегодня вечером.") == "ru"
    assert detect_language("The president said that the talks would go on late into the evening.") == "en"
    assert detect_language("Kyiv", declared="uk") == "uk"


def test_the_model_is_loaded_once_however_many_threads_ask_at_once(monkeypatch):
    monkeypatch.setattr(language, "_IDENTIFIER", [])
    loads = []
    real = language.LanguageIdentifier.from_model_file
    monkeypatch.setattr(language.LanguageIdentifier, "from_model_file",
                        lambda *args, **kwargs: loads.append(1) or real(*args, **kwargs))
    with ThreadPoolExecutor(8) as pool:
        found = list(pool.map(lambda _: language.identifier(), range(8)))
    assert len(loads) == 1 and all(model is found[0] for model in found)
