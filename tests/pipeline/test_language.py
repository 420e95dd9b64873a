"""The language stage: Cyrillic languages told apart by their letters, the rest by py3langid's model."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

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
        assert np.array_equal(np.asarray(made), np.asarray(read))  # (read: two of them mapped, not arrays)
    assert [first.classify(text) for text in SAMPLES] == [second.classify(text) for text in SAMPLES]
    assert [second.classify(text)[0] for text in SAMPLES] == ["en", "de", "fr"]


def test_the_kept_copys_large_tables_are_mapped_so_that_processes_share_them(fresh_model, tmp_path):
    language.identifier()
    kept = next((tmp_path / "cache").glob("py3langid-*.arrays"))
    ptc, _, _, nextmove, _, _ = language._read_copy(kept)
    assert not ptc.flags.owndata and not ptc.flags.writeable  # the file's pages, not a copy of them
    assert isinstance(nextmove, memoryview) and nextmove.readonly and nextmove.nbytes > 30_000_000
    mapped = {line.split(maxsplit=5)[-1].strip() for line in Path("/proc/self/maps").read_text().splitlines()
              if len(line.split()) == 6} if Path("/proc/self/maps").exists() else {str(kept)}
    assert str(kept) in mapped
    language._IDENTIFIER.clear()  # as in the next process
    assert [language.identifier().classify(text)[0] for text in SAMPLES] == ["en", "de", "fr"]


def _resident_mb(path: Path) -> float:
    """How much of the file's mapping is in this process's memory (/proc/self/smaps)."""
    resident, inside = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        if "-" in line.split(maxsplit=1)[0]:  # a mapping's first line: its addresses, ..., its file
            inside = line.endswith(str(path))
        elif inside and line.startswith("Rss:"):
            resident += int(line.split()[1])
    return resident / 1024


@pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="needs Linux's /proc/self/smaps")
def test_a_worker_reads_the_mapped_model_in_at_start(fresh_model, tmp_path):
    language.identifier()  # the first process: unpacked from the package and kept
    kept = next((tmp_path / "cache").glob("py3langid-*.arrays"))
    language._IDENTIFIER.clear()  # as in the next process
    language.identifier()
    assert _resident_mb(kept) < 30  # mapped: what no text has reached is not in memory
    language.read_in()
    assert _resident_mb(kept) > 60  # both tables now (28 + 39 MB)


@pytest.mark.parametrize("cut_at", [1000, -300_000], ids=["in-the-first-table", "in-the-transition-table"])
def test_a_damaged_copy_is_made_again_from_the_model(fresh_model, caplog, tmp_path, cut_at):
    language.identifier()
    kept = next((tmp_path / "cache").glob("py3langid-*"))
    kept.write_bytes(kept.read_bytes()[:cut_at])  # cut short, as by a full disk
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
    language.read_in()  # (a worker's start: the model in memory already, read through all the same)
    assert language.identifier().classify(SAMPLES[2])[0] == "fr"
    assert len(fresh_model) == 2 and "could not be kept" in caplog.text
