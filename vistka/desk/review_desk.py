"""The review item page: why an article waits, in sentences an editor reads without knowing the
pipeline, and what the page shows side by side."""

from __future__ import annotations

from django.conf import settings

from vistka.config.choices import LICENCE_MODES, QA_FLAG_MEANINGS
from vistka.core.models import Article

FLAGGED = "translation flagged for review"  # how vistka.pipeline.translate.translating.review_reason starts


def readable_reasons(article: Article) -> list[str]:
    """Each reason the article waits (its `error`, "; "-joined by the review stage), as a sentence."""
    from vistka.pipeline.publish import SOURCE_REQUIRES_REVIEW

    if not article.error:
        return ["An editor held it (no rule did)."]
    sentences = []
    for reason in (part.strip() for part in article.error.split(";")):
        if reason == SOURCE_REQUIRES_REVIEW:
            sentences.append(f"Its outlet, {article.source.name}, is set to have every article checked by an "
                             "editor before it is published.")
        elif reason.startswith(FLAGGED):
            sentences.append("The quality checks flagged its machine translation: " + _flag_words(article) + ".")
        elif reason:
            sentences.append(reason[0].upper() + reason[1:] + ("" if reason.endswith(".") else "."))
    return sentences


def _flag_words(article: Article) -> str:
    translation = article.translation
    flags = (translation.flags or []) if translation else []
    if not flags:
        return article.error.split(":", 1)[-1].strip()
    words = []
    for flag in flags:
        kind, detail = flag.get("kind", ""), flag.get("detail", "")
        meaning = QA_FLAG_MEANINGS.get(kind, kind)
        words.append(f"{meaning} ({detail})" if detail else meaning)
    return "; ".join(words)


def review_context(article: Article) -> dict:
    """What the review item page shows: the reasons, the original and the text readers would get."""
    translation = article.translation
    translated = translation is not None and article.language != settings.SITE_LANGUAGE
    return {
        "reasons": readable_reasons(article),
        "original": {"language": article.language, "title": article.title, "lead": article.lead,
                     "body_html": article.body_html},
        "rendered": {"language": settings.SITE_LANGUAGE if translated else article.language,
                     "title": translation.title if translated else article.title,
                     "lead": translation.lead if translated else article.lead,
                     "body_html": translation.body_html if translated else article.body_html,
                     "engine": translation.engine if translated else "",
                     "translation_pk": translation.pk if translated else None},
        "licence": LICENCE_MODES.get(article.source.licence_mode, article.source.licence_mode),
        "site_url": article.get_absolute_url(),
    }
