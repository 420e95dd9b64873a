"""OPUS-MT and NLLB models converted by CTranslate2 install as packages and go through the real path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from vistka.pipeline.translate import get_engine
from vistka.pipeline.translate.packages import PackageError, install_package, list_packages
from vistka.testing.tiny_model import build_tiny_argos_package


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_argos_package(tmp_path_factory.mktemp("tiny-folder"), "uk", "en")


def conversion(tiny_folder: Path, destination: Path, tokenizer_files: tuple[str, ...]) -> Path:
    """What ct2-transformers-converter --copy_files writes: model.bin, vocabulary, tokenizer files."""
    shutil.copytree(tiny_folder / "model", destination)
    for name in tokenizer_files:
        shutil.copyfile(tiny_folder / "sentencepiece.model", destination / name)
    return destination


class Spy:
    def __init__(self, translator) -> None:
        self.translator, self.calls = translator, []

    def translate_batch(self, batch, **options):
        self.calls.append((batch, options.get("target_prefix")))
        return self.translator.translate_batch(batch, **options)


def test_opus_mt_conversion(tiny_folder: Path, tmp_path: Path) -> None:
    folder = conversion(tiny_folder, tmp_path / "opus-mt-uk-en", ("source.spm", "target.spm"))
    install_package("uk", "en", tmp_path / "packages", from_path=folder)

    engine = get_engine("uk", "en", packages_dir=tmp_path / "packages")
    engine.translator = spy = Spy(engine.translator)
    out = engine.translate_texts(["Уряд ухвалив рішення.", ""], "uk", "en")

    assert engine.model_id == "opus-mt:opus-mt-uk-en"
    assert out[0] and out[1] == ""
    batch, prefix = spy.calls[0]
    assert batch[0][-1] == "</s>" and prefix is None
    assert [package.source + package.target for package in list_packages(tmp_path / "packages")] == ["uken"]


def test_nllb_conversion_uses_language_tokens(tiny_folder: Path, tmp_path: Path) -> None:
    folder = conversion(tiny_folder, tmp_path / "nllb-200-distilled-600M", ("sentencepiece.bpe.model",))
    install_package("uk", "en", tmp_path / "packages", from_path=folder)

    engine = get_engine("uk-UA", "en", packages_dir=tmp_path / "packages")
    engine.translator = spy = Spy(engine.translator)
    out = engine.translate_texts(["Уряд ухвалив рішення."], "uk", "en")

    assert engine.model_id == "nllb:nllb-200-distilled-600M"
    batch, prefix = spy.calls[0]
    assert batch[0][0] == "ukr_Cyrl" and batch[0][-1] == "</s>"
    assert prefix == [["eng_Latn"]]
    assert len(out) == 1 and not out[0].startswith("eng_Latn")


def test_conversion_without_tokenizer_says_how_to_convert(tiny_folder: Path, tmp_path: Path) -> None:
    folder = conversion(tiny_folder, tmp_path / "bare", ())
    with pytest.raises(PackageError, match="--copy_files source.spm target.spm"):
        install_package("uk", "en", tmp_path / "packages", from_path=folder)
    assert not list_packages(tmp_path / "packages")
