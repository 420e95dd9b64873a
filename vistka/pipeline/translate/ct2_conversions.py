"""Install any CTranslate2 conversion of an OPUS-MT (Marian) or NLLB model as a package.

`ct2-transformers-converter --model Helsinki-NLP/opus-mt-tc-big-zle-en --copy_files source.spm
target.spm --quantization int8 --output_dir opus-uk-en` (or the same for facebook/nllb-200-*, with
`--copy_files sentencepiece.bpe.model`) gives a folder with model.bin, a vocabulary and the
tokenizer. `vistka translate install uk en --from-path opus-uk-en` wraps it in the package layout
the ctranslate2 engine loads (metadata.json, model/, sentencepiece.model), recording in
metadata.json what differs from Argos packages:
- both kinds were trained with "</s>" ending every source sentence (`source_suffix`);
- NLLB also needs the source language token first (`source_prefix`, e.g. "ukr_Cyrl") and the
  target language token as the first decoded token (`target_prefix`, e.g. "eng_Latn").
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from .base import normalize_language

# FLORES-200 codes NLLB uses, for the languages a news site is likely to meet.
NLLB_CODES = {
    "uk": "ukr_Cyrl", "en": "eng_Latn", "ru": "rus_Cyrl", "be": "bel_Cyrl", "pl": "pol_Latn", "de": "deu_Latn",
    "fr": "fra_Latn", "es": "spa_Latn", "it": "ita_Latn", "pt": "por_Latn", "nl": "nld_Latn", "cs": "ces_Latn",
    "sk": "slk_Latn", "hu": "hun_Latn", "ro": "ron_Latn", "bg": "bul_Cyrl", "tr": "tur_Latn", "lt": "lit_Latn",
    "lv": "lvs_Latn", "et": "est_Latn", "fi": "fin_Latn", "sv": "swe_Latn", "ka": "kat_Geor", "he": "heb_Hebr",
    "ar": "arb_Arab", "zh": "zho_Hans", "ja": "jpn_Jpan", "ko": "kor_Hang", "kk": "kaz_Cyrl", "ro-md": "ron_Latn",
}
_TOKENIZERS = (("source.spm", "opus-mt"), ("sentencepiece.bpe.model", "nllb"))


class ConversionError(ValueError):
    """The folder is not a usable CTranslate2 conversion; the message says what to do."""


def is_ct2_conversion(folder: Path) -> bool:
    return folder.is_dir() and (folder / "model.bin").is_file() and not (folder / "metadata.json").exists()


def wrap_ct2_conversion(folder: Path, source: str, target: str, destination: Path) -> Path:
    """Write the package layout for `folder` into `destination` (which must not exist); return it."""
    source, target = normalize_language(source), normalize_language(target)
    tokenizer, kind = _detect_tokenizer(folder)
    metadata = {"from_code": source, "to_code": target, "type": "translate", "package_version": folder.name,
                "model_id": f"{kind}:{folder.name}", "source_suffix": ["</s>"],
                "description": f"CTranslate2 conversion of an {kind} model, installed by vistka"}
    if kind == "nllb":
        metadata |= {"source_prefix": [_nllb_code(source)], "target_prefix": _nllb_code(target)}
    destination.mkdir(parents=True)
    shutil.copytree(folder, destination / "model", ignore=shutil.ignore_patterns("*.spm", "sentencepiece*"))
    shutil.copyfile(tokenizer, destination / "sentencepiece.model")
    (destination / "metadata.json").write_text(json.dumps(metadata, indent=2), encoding="utf-8")
    return destination


def _detect_tokenizer(folder: Path) -> tuple[Path, str]:
    for name, kind in _TOKENIZERS:
        if (folder / name).is_file():
            return folder / name, kind
    raise ConversionError(
        f"{folder} holds a CTranslate2 model but no tokenizer: convert it with "
        "`--copy_files source.spm target.spm` (OPUS-MT) or `--copy_files sentencepiece.bpe.model` (NLLB)")


def _nllb_code(language: str) -> str:
    if language not in NLLB_CODES:
        raise ConversionError(f"no NLLB language code known for {language!r}")
    return NLLB_CODES[language]
