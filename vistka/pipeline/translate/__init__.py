"""Translation stage: article title, lead and body HTML into the site language.

Importable without Django. Engines:
- "none": identity, only for articles already in the target language;
- "ctranslate2": offline Argos Translate packages (see ctranslate2_engine.py, packages.py);
- "openai": any OpenAI-compatible chat-completions server; "libretranslate" (http_engines.py).
Glossary (glossary.py) and QA flags (quality.py) work with all of them.

    engine = get_engine("uk", "en", packages_dir=data_dir / "translation-packages")
    translated = translate_article(title, lead, body_html, "uk", "en", engine)
"""

from __future__ import annotations

from pathlib import Path

from vistka.config.choices import ENGINES

from .article_html import plan_body_translation
from .base import (
    Engine,
    TranslatedArticle,
    TranslationError,
    TranslationUnavailable,
    language_pair,
    normalize_language,
)
from .batch import SentenceBatch
from .ctranslate2_engine import Ctranslate2Settings
from .http_engines import HttpEngineSettings
from .sentences import split_sentences

__all__ = [
    "Ctranslate2Settings", "Engine", "HttpEngineSettings", "article_segments", "IdentityEngine", "TranslatedArticle", "TranslationError",
    "TranslationUnavailable", "get_engine", "normalize_language", "split_sentences", "translate_article",
]

ENGINE_NAMES = ENGINES


class IdentityEngine:
    """The "none" engine: returns texts unchanged (source and target language are the same)."""

    name = "none"
    model_id = "identity"

    def translate_texts(self, texts: list[str], source_lang: str, target_lang: str) -> list[str]:
        if normalize_language(source_lang) != normalize_language(target_lang):
            raise TranslationUnavailable(f"the 'none' engine cannot translate {language_pair(source_lang, target_lang)}")
        return list(texts)


def get_engine(source_lang: str, target_lang: str, *, engine: str = "ctranslate2", packages_dir: Path,
               settings: Ctranslate2Settings | None = None, openai: HttpEngineSettings | None = None,
               libretranslate: HttpEngineSettings | None = None) -> Engine:
    """The engine that translates source_lang→target_lang; TranslationUnavailable says why there is none."""
    source, target = normalize_language(source_lang), normalize_language(target_lang)
    if source == target:
        return IdentityEngine()  # nothing to translate, whatever engine is configured
    if engine == "none":
        raise TranslationUnavailable(
            f"the translation engine is 'none', which cannot translate {source}→{target}; set "
            f"VISTKA_TRANSLATION_ENGINE=ctranslate2 and run `vistka translate install {source} {target}`")
    if engine in ("openai", "libretranslate"):
        return _http_engine(engine, openai if engine == "openai" else libretranslate)
    if engine != "ctranslate2":
        raise TranslationUnavailable(f"unknown translation engine {engine!r} (choose one of: {', '.join(ENGINE_NAMES)})")
    from .ctranslate2_engine import open_engine

    return open_engine(source, target, Path(packages_dir), settings)


def _http_engine(engine: str, settings: HttpEngineSettings | None) -> Engine:
    from .http_engines import LibreTranslateEngine, OpenAIEngine

    if settings is None or not settings.url:
        raise TranslationUnavailable(f"the {engine} engine has no server URL configured")
    try:
        return OpenAIEngine(settings) if engine == "openai" else LibreTranslateEngine(settings)
    except ValueError as error:
        raise TranslationUnavailable(str(error)) from error


def article_segments(title: str, lead: str, body_html: str) -> list[str]:
    """The distinct sentences translate_article sends to the engine, in order."""
    batch = SentenceBatch()
    batch.add(title or "")
    batch.add(lead or "")
    plan_body_translation(body_html or "", batch)
    return batch.sentences


def translate_article(title: str, lead: str, body_html: str, source_lang: str, target_lang: str,
                      engine: Engine) -> TranslatedArticle:
    """Translate title and lead (plain text) and body HTML (block tags and links kept) in one batch."""
    if normalize_language(source_lang) == normalize_language(target_lang):
        # Same language: hand the article back untouched rather than re-serialising its HTML.
        return TranslatedArticle(title, lead, body_html, IdentityEngine.name, IdentityEngine.model_id)
    if engine.name == IdentityEngine.name:
        raise TranslationUnavailable(f"the 'none' engine cannot translate {language_pair(source_lang, target_lang)}")
    batch = SentenceBatch()
    title_ticket = batch.add(title or "")
    lead_ticket = batch.add(lead or "")
    render_body = plan_body_translation(body_html or "", batch)
    batch.translate(engine, source_lang, target_lang)
    return TranslatedArticle(title=batch.text(title_ticket), lead=batch.text(lead_ticket),
                             body_html=render_body(), engine=engine.name, model_id=engine.model_id,
                             segments=batch.pairs())
