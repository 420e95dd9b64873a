"""Database side of the translate stage: store an article's translation into the site language."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from vistka.core.models import Article, Translation
from vistka.pipeline.sanitize import sanitize_html
from vistka.pipeline.translate import (
    Ctranslate2Settings,
    Engine,
    TranslationError,
    TranslationUnavailable,
    get_engine,
    translate_article,
)


def engine_for(source_lang: str) -> Engine:
    """The configured engine for source_lang → site language; raises TranslationUnavailable."""
    return get_engine(
        source_lang,
        settings.SITE_LANGUAGE,
        engine=settings.TRANSLATION_ENGINE,
        packages_dir=settings.TRANSLATION_PACKAGES_DIR,
        settings=Ctranslate2Settings(compute_type=settings.CT2_COMPUTE_TYPE, intra_threads=settings.CT2_THREADS),
    )


def translate_into_site_language(article: Article) -> tuple[bool, str]:
    """(True, "") when a translation is stored; (False, why) when the article must wait."""
    try:
        engine = engine_for(article.language)
        result = translate_article(
            article.title, article.lead, article.body_html, article.language, settings.SITE_LANGUAGE, engine
        )
    except (TranslationUnavailable, TranslationError) as error:
        return False, str(error)
    with transaction.atomic():
        Translation.objects.update_or_create(
            article=article,
            language=settings.SITE_LANGUAGE,
            defaults={"title": result.title, "lead": result.lead, "body_html": sanitize_html(result.body_html),
                      "engine": result.engine, "model_id": result.model_id},
        )
    article._site_translation = None  # forget the cached lookup
    return True, ""
