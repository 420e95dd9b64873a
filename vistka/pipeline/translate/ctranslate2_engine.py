"""Translate with an Argos Translate package, using ctranslate2 + sentencepiece directly.

The argostranslate library itself is not used: it depends on Stanza and therefore torch (gigabytes)
for sentence splitting, which vistka does itself. The calls below mirror Argos's own
(argostranslate/translate.py): SentencePiece pieces in, `translate_batch(replace_unknowns=True,
length_penalty=0.2)`, pieces joined and "▁" turned back into spaces.

ctranslate2 and sentencepiece are imported only when a model is loaded, so this module (and the
package) can be imported where they are not installed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .base import TranslationError, TranslationUnavailable, language_pair, normalize_language
from .packages import PackageError, find_package, read_metadata

PIVOT_LANGUAGE = "en"  # Argos packages mostly go to or from English


@dataclass(frozen=True)
class Ctranslate2Settings:
    compute_type: str = "int8"  # falls back to "default" where the device cannot do int8
    inter_threads: int = 0  # parallel translations; 0: ctranslate2's default (1)
    intra_threads: int = 0  # threads per translation; 0: automatic
    beam_size: int = 2  # Argos uses 4; 2 is nearly as good and about twice as fast
    device: str = "cpu"
    max_decoding_length: int = 256  # tokens per output sentence
    max_batch_size: int = 32


@dataclass(frozen=True)
class _LoadedModel:
    translator: Any  # ctranslate2.Translator
    tokenizer: Any  # sentencepiece.SentencePieceProcessor


_loaded_models: dict[tuple[Any, ...], _LoadedModel] = {}
_loading_lock = threading.Lock()


class Ctranslate2Engine:
    """Translates with one installed Argos package (one language pair)."""

    name = "ctranslate2"

    def __init__(self, package_dir: Path, settings: Ctranslate2Settings | None = None) -> None:
        self.package_dir = Path(package_dir)
        self.settings = settings or Ctranslate2Settings()
        metadata = _read_metadata(self.package_dir)
        self.source_lang = normalize_language(str(metadata.get("from_code", "")))
        self.target_lang = normalize_language(str(metadata.get("to_code", "")))
        self.model_id = _model_id(metadata, self.package_dir)
        self.target_prefix = str(metadata.get("target_prefix") or "")  # multilingual packages
        # OPUS-MT and NLLB conversions expect "</s>" after the sentence, NLLB its language token first.
        self.source_prefix = [str(token) for token in metadata.get("source_prefix") or []]
        self.source_suffix = [str(token) for token in metadata.get("source_suffix") or []]
        loaded = load_model(self.package_dir, self.settings)
        self.translator = loaded.translator
        self.tokenizer = loaded.tokenizer

    def translate_texts(self, texts: list[str], source_lang: str, target_lang: str) -> list[str]:
        requested = (normalize_language(source_lang), normalize_language(target_lang))
        if requested != (self.source_lang, self.target_lang):
            raise TranslationUnavailable(f"{self.model_id} translates {self.source_lang}→{self.target_lang}, "
                                         f"not {language_pair(source_lang, target_lang)}")
        # Blank texts never reach the model: it would invent a sentence for them.
        positions = [i for i, text in enumerate(texts) if text.strip()]
        outputs = [""] * len(texts)
        if not positions:
            return outputs
        hypotheses = self._translate_tokens([self._tokenize(texts[i]) for i in positions])
        for position, tokens in zip(positions, hypotheses, strict=True):
            outputs[position] = self._detokenize(tokens)
        return outputs

    def _tokenize(self, text: str) -> list[str]:
        return self.source_prefix + self.tokenizer.encode(text, out_type=str) + self.source_suffix

    def _translate_tokens(self, batch: list[list[str]]) -> list[list[str]]:
        prefix = [[self.target_prefix] for _ in batch] if self.target_prefix else None
        try:
            results = self.translator.translate_batch(
                batch, target_prefix=prefix, max_batch_size=self.settings.max_batch_size,
                beam_size=self.settings.beam_size, num_hypotheses=1, length_penalty=0.2,
                replace_unknowns=True, max_decoding_length=self.settings.max_decoding_length,
            )
        except (RuntimeError, ValueError) as error:
            raise TranslationError(f"ctranslate2 failed translating with {self.model_id}: {error}") from error
        return [result.hypotheses[0] for result in results]

    def _detokenize(self, tokens: list[str]) -> str:
        if self.target_prefix and tokens[:1] == [self.target_prefix]:
            tokens = tokens[1:]
        return "".join(tokens).replace("▁", " ").strip()


class PivotEngine:
    """source→en→target when no direct package exists (as Argos does); slower and a bit lossier."""

    name = "ctranslate2"

    def __init__(self, first: Ctranslate2Engine, second: Ctranslate2Engine) -> None:
        self.first, self.second = first, second
        self.model_id = f"{first.model_id}+{second.model_id}"

    def translate_texts(self, texts: list[str], source_lang: str, target_lang: str) -> list[str]:
        intermediate = self.first.translate_texts(texts, source_lang, PIVOT_LANGUAGE)
        return self.second.translate_texts(intermediate, PIVOT_LANGUAGE, target_lang)


def open_engine(source_lang: str, target_lang: str, packages_dir: Path,
                settings: Ctranslate2Settings | None = None) -> Ctranslate2Engine | PivotEngine:
    """The engine for an installed package pair; TranslationUnavailable if none is installed."""
    source, target = normalize_language(source_lang), normalize_language(target_lang)
    direct = find_package(source, target, packages_dir)
    if direct is not None:
        return Ctranslate2Engine(direct, settings)
    if PIVOT_LANGUAGE not in (source, target):
        first = find_package(source, PIVOT_LANGUAGE, packages_dir)
        second = find_package(PIVOT_LANGUAGE, target, packages_dir)
        if first is not None and second is not None:
            return PivotEngine(Ctranslate2Engine(first, settings), Ctranslate2Engine(second, settings))
    raise TranslationUnavailable(f"no {source}→{target} translation package installed in {packages_dir}; "
                                 f"run `vistka translate install {source} {target}`")


def load_model(package_dir: Path, settings: Ctranslate2Settings) -> _LoadedModel:
    """Load (once per process) the package's translator and tokenizer: loading takes seconds."""
    model_file = package_dir / "model" / "model.bin"
    try:
        # The file's mtime is in the key so that a reinstalled package is loaded afresh.
        key = (str(package_dir.resolve()), model_file.stat().st_mtime_ns, settings.device,
               settings.compute_type, settings.inter_threads, settings.intra_threads)
    except OSError as error:
        raise _broken_package(package_dir, error) from error
    with _loading_lock:
        if key not in _loaded_models:
            _loaded_models[key] = _load_uncached(package_dir, settings)
        return _loaded_models[key]


def _load_uncached(package_dir: Path, settings: Ctranslate2Settings) -> _LoadedModel:
    try:
        import ctranslate2
        import sentencepiece
    except ImportError as error:
        raise TranslationUnavailable("the ctranslate2 engine needs the Python packages ctranslate2 and "
                                     f"sentencepiece ({error}); install them or set the engine to none") from error
    try:
        translator = _open_translator(ctranslate2, package_dir / "model", settings)
        tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(package_dir / "sentencepiece.model"))
    except (RuntimeError, ValueError, OSError) as error:
        raise _broken_package(package_dir, error) from error
    return _LoadedModel(translator=translator, tokenizer=tokenizer)


def _open_translator(ctranslate2: Any, model_dir: Path, settings: Ctranslate2Settings) -> Any:
    try:
        supported = set(ctranslate2.get_supported_compute_types(settings.device))
    except (RuntimeError, ValueError):
        supported = set()  # e.g. "cuda" without a GPU: Translator() below reports it properly
    candidates = [settings.compute_type] if settings.compute_type in supported | {"default", "auto"} else []
    candidates += [fallback for fallback in ("default", "float32") if fallback not in candidates]
    error: Exception | None = None
    for compute_type in candidates:
        try:
            return ctranslate2.Translator(
                str(model_dir), device=settings.device, compute_type=compute_type,
                inter_threads=max(1, settings.inter_threads), intra_threads=max(0, settings.intra_threads),
            )
        except ValueError as unsupported:  # raised for a compute type the model/device cannot use
            error = unsupported
    raise error or ValueError("no usable compute type")


def _read_metadata(package_dir: Path) -> dict[str, Any]:
    try:
        return read_metadata(package_dir)
    except PackageError as error:
        raise TranslationUnavailable(str(error)) from error


def _model_id(metadata: dict[str, Any], package_dir: Path) -> str:
    if metadata.get("model_id"):  # set for installed OPUS-MT / NLLB conversions
        return str(metadata["model_id"])
    source, target = metadata.get("from_code"), metadata.get("to_code")
    version = metadata.get("package_version")
    if source and target and version:
        return f"argos:{source}_{target}-{version}"
    return f"argos:{package_dir.name}"


def _broken_package(package_dir: Path, error: Exception) -> TranslationUnavailable:
    metadata = _read_metadata(package_dir) if (package_dir / "metadata.json").exists() else {}
    pair = f"{metadata.get('from_code', '?')} {metadata.get('to_code', '?')}"
    return TranslationUnavailable(f"the translation package at {package_dir} cannot be loaded ({error}); "
                                  f"reinstall it with `vistka translate install {pair}`")
