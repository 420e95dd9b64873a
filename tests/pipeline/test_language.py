"""The language stage: Cyrillic languages told apart by their letters, the rest by py3langid's model."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

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
    real = language._load_identifier
    monkeypatch.setattr(language, "_load_identifier", lambda: loads.append(1) or real())
    with ThreadPoolExecutor(8) as pool:
        found = list(pool.map(lambda _: language.identifier(), range(8)))
    assert len(loads) == 1 and all(model is found[0] for model in found)


SAMPLES = ["The president said that the talks would go on late into the evening.",
           "Der Präsident sagte, dass die Gespräche bis spät in den Abend andauern würden.",
           "Le président a déclaré que les pourparlers se poursuivraient tard dans la soirée."]


@pytest.fixture
def fresh_model(monkeypatch, settings, tmp_path):
    """No model loaded in this process, a data dir of its own, and a count of the model's unpackings."""
    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(language, "_IDENTIFIER", [])
    unpacked = []
    real = language.load_model
    monkeypatch.setattr(language, "load_model", lambda path: unpacked.append(path) or real(path))
    return unpacked


def test_the_model_is_unpacked_once_and_later_processes_read_the_same_model_unpacked(fresh_model, tmp_path):
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "py3langid-0.3.0-1-2.arrays").write_bytes(b"the copy of an older model")
    being_written = tmp_path / "cache" / "py3langid-0.4.0-1-2.arrays.4242.tmp"  # by another process
    being_written.write_bytes(b"half")
    first = language.identifier()
    kept = list((tmp_path / "cache").glob("py3langid-*.arrays"))
    assert len(fresh_model) == 1 and len(kept) == 1 and being_written.exists()
    language._IDENTIFIER.clear()  # as in the next process
    second = language.identifier()
    assert len(fresh_model) == 1 and second is not first
    for made, read in zip(language.load_model(language._MODEL), language._read_copy(kept[0]), strict=True):
        assert type(made) is type(read)
        assert (made == read).all() if isinstance(made, np.ndarray) else made == read
    assert [first.classify(text) for text in SAMPLES] == [second.classify(text) for text in SAMPLES]
    assert [second.classify(text)[0] for text in SAMPLES] == ["en", "de", "fr"]


def test_a_damaged_copy_is_made_again_from_the_model(fresh_model, caplog, tmp_path):
    language.identifier()
    kept = next((tmp_path / "cache").glob("py3langid-*"))
    kept.write_bytes(kept.read_bytes()[:1000])  # cut short, as by a full disk
    language._IDENTIFIER.clear()
    assert language.identifier().classify(SAMPLES[0])[0] == "en"
    assert len(fresh_model) == 2 and "could not be read" in caplog.text
    language._IDENTIFIER.clear()
    language.identifier()
    assert len(fresh_model) == 2  # whole again


def test_a_data_dir_that_cannot_hold_the_copy_only_costs_the_unpacking(fresh_model, caplog, tmp_path):
    (tmp_path / "cache").write_text("a file where the folder would be")
    assert language.identifier().classify(SAMPLES[1])[0] == "de"
    language._IDENTIFIER.clear()
    assert language.identifier().classify(SAMPLES[2])[0] == "fr"
    assert len(fresh_model) == 2 and "could not be kept" in caplog.text
