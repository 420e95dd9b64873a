"""Database side of the translate stage: store an article's translation into the site language.

The engine (the site's, or the source's own) is wrapped twice: the glossary substitutes and
enforces terms around the translation memory, which sends the engine only segments it has never
seen. The result is checked (QA flags) and stored with its engine, model and flags in one
transaction; a failing engine stores nothing, so the article waits and is retried on the next run.

Before any engine, the editors' memory is asked (memory.py): an article it covers entirely is stored
as translated by the editors (engine "editors", reviewed), whatever engine is configured.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction

from vistka.core.models import Article, Source, Translation
from vistka.pipeline.extract import sanitize_html
from vistka.pipeline.translate import (
    Ctranslate2Settings,
    Engine,
    HttpEngineSettings,
    TranslatedArticle,
    TranslationError,
    TranslationUnavailable,
    get_engine,
    translate_article,
)
from vistka.pipeline.translate.glossaries import glossary_for
from vistka.pipeline.translate.glossary import GlossaryEngine
from vistka.pipeline.translate.memory import (
    MemoryEngine,
    MemoryOnlyEngine,
    editors_engine,
    has_editors_translations,
    is_editors,
)
from vistka.pipeline.translate.quality import Flag, check_segments

log = logging.getLogger("vistka.pipeline")


def engine_name_for(article: Article) -> str:
    return source_engine_name(article.source)


def source_engine_name(source: Source) -> str:
    """The engine that translates the source's articles: its own, else the site's."""
    return source.translation_engine or settings.TRANSLATION_ENGINE


def engine_for(source_lang: str, engine: str | None = None) -> Engine:
    """The configured engine for source_lang → site language; raises TranslationUnavailable."""
    return get_engine(
        source_lang,
        settings.SITE_LANGUAGE,
        engine=engine or settings.TRANSLATION_ENGINE,
        packages_dir=settings.TRANSLATION_PACKAGES_DIR,
        settings=Ctranslate2Settings(compute_type=settings.CT2_COMPUTE_TYPE, intra_threads=settings.CT2_THREADS),
        openai=_http_settings(settings.OPENAI_URL, settings.OPENAI_API_KEY, settings.OPENAI_MODEL),
        libretranslate=_http_settings(settings.LIBRETRANSLATE_URL, settings.LIBRETRANSLATE_API_KEY),
    )


def _http_settings(url: str, api_key: str, model: str = "") -> HttpEngineSettings:
    return HttpEngineSettings(url=url, model=model, api_key=api_key, timeout=settings.TRANSLATION_TIMEOUT,
                              retries=max(0, settings.TRANSLATION_RETRIES))


def translate_into_site_language(article: Article) -> tuple[bool, str]:
    """(True, "") when a translation is stored; (False, why) when the article must wait."""
    by_editors = translate_by_editors(article)
    if by_editors is not None:
        store_translation(article, *by_editors, reviewed=True)
        return True, ""
    try:
        engine = MemoryEngine(engine_for(article.language, engine_name_for(article)))
        result, flags = translate_with(article, engine)
    except (TranslationUnavailable, TranslationError) as error:
        log.warning("translation of %s failed, will retry: %s", article.url, error)
        return False, str(error)
    store_translation(article, result, flags)
    return True, ""


def translate_by_editors(article: Article) -> tuple[TranslatedArticle, list[Flag]] | None:
    """The article in the editors' own translation when their memory holds every segment, else None."""
    if not has_editors_translations(article.language, settings.SITE_LANGUAGE):
        return None  # the usual case outside the sample edition: no need to split the article
    try:
        return translate_with(article, editors_engine(), glossary=False)
    except (TranslationUnavailable, TranslationError):
        return None


def retranslate_from_memory(translation: Translation) -> Translation:
    """Rebuild a translation from the memory alone (after an editor corrected segments in it)."""
    article = translation.article
    result, flags = translate_with(article, MemoryEngine(MemoryOnlyEngine(translation.engine, translation.model_id)),
                                   glossary=not is_editors(translation.engine))
    return store_translation(article, result, flags, reviewed=True)


def translate_with(article: Article, engine: Engine, glossary: bool = True) -> tuple[TranslatedArticle, list[Flag]]:
    """The article translated (glossary applied unless the editors' memory translates) and its QA flags;
    raises if the engine fails. The flags always check the glossary's terms."""
    terms = glossary_for(article.language, settings.SITE_LANGUAGE)
    wrapped = GlossaryEngine(engine, terms) if glossary and len(terms) else engine
    result = translate_article(article.title, article.lead, article.body_html, article.language,
                               settings.SITE_LANGUAGE, wrapped)
    return result, check_segments(result.segments, article.language, settings.SITE_LANGUAGE, terms)


def store_translation(article: Article, result: TranslatedArticle, flags: list[Flag],
                      reviewed: bool = False) -> Translation:
    body_html = sanitize_html(result.body_html)
    with transaction.atomic():
        previous = Translation.objects.filter(article=article, language=settings.SITE_LANGUAGE).first()
        # An editor's review stands as long as the text they reviewed does not change.
        unchanged = previous is not None and (previous.title, previous.lead, previous.body_html) == (
            result.title, result.lead, body_html)
        translation, _ = Translation.objects.update_or_create(
            article=article,
            language=settings.SITE_LANGUAGE,
            defaults={"title": result.title, "lead": result.lead, "body_html": body_html,
                      "engine": result.engine, "model_id": result.model_id, "flags": flags,
                      "reviewed": reviewed or (unchanged and previous.reviewed)},
        )
    article._site_translation = None  # forget the cached lookup
    return translation


def review_reason(article: Article) -> str:
    """Why the article's translation waits for an editor (its flags the settings hold), or ""."""
    translation = article.translation
    if translation is None or translation.reviewed:
        return ""
    hold = set(settings.TRANSLATION_HOLD_FLAGS)
    kinds = sorted({flag.get("kind", "") for flag in translation.flags or []})
    held = [kind for kind in kinds if "*" in hold or kind in hold]
    return f"translation flagged for review: {', '.join(held)}" if held else ""
