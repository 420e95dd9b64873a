"""The editor's view of a translation: its segments, and corrections that go into the memory."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q

from vistka.core.events import content_changed
from vistka.core.models import Translation, TranslationMemory
from vistka.pipeline.translate import article_segments, normalize_language
from vistka.pipeline.translate.glossaries import glossary_for
from vistka.pipeline.translate.memory import is_editors, remember_correction, segment_hash


@dataclass(frozen=True)
class SegmentRow:
    source: str  # the sentence as the outlet wrote it
    translation: str
    corrected: bool


def segment_rows(translation: Translation) -> list[SegmentRow]:
    """Every sentence of the article with its remembered translation (the engine's or an editor's)."""
    article = translation.article
    glossary = _glossary_of(translation)
    sources = article_segments(article.title, article.lead, article.body_html)
    keys = {source: segment_hash(glossary.prepare(source)) for source in sources}
    memory = {row.source_hash: row for row in TranslationMemory.objects.filter(
        _scope(translation, article.language), source_hash__in=set(keys.values()))}
    rows = []
    for source in sources:
        remembered = memory.get(keys[source])
        text = glossary.enforce(remembered.target_text) if remembered else ""
        rows.append(SegmentRow(source, text, bool(remembered and remembered.corrected)))
    return rows


def correct_segments(translation: Translation, corrections: dict[str, str]) -> Translation:
    """Remember the editor's translation of each source sentence, then rebuild the article from memory."""
    from vistka.pipeline.translate.translating import retranslate_from_memory

    article = translation.article
    glossary = _glossary_of(translation)
    for source, corrected in corrections.items():
        # The memory is keyed by the text the engine saw: the sentence after glossary substitution.
        remember_correction(translation.engine, translation.model_id, article.language, settings.SITE_LANGUAGE,
                            glossary.prepare(source), corrected)
    translation = retranslate_from_memory(translation)
    content_changed([article.pk])
    return translation


class _NoGlossary:
    """The editors' memory is keyed by the outlet's own sentences: nothing is substituted."""

    def prepare(self, text: str) -> str:
        return text

    def enforce(self, text: str) -> str:
        return text


def _glossary_of(translation: Translation):
    if is_editors(translation.engine):
        return _NoGlossary()
    return glossary_for(translation.article.language, settings.SITE_LANGUAGE)


def _scope(translation: Translation, source_lang: str) -> Q:
    return Q(engine=translation.engine, model_id=translation.model_id,
             source_lang=normalize_language(source_lang), target_lang=normalize_language(settings.SITE_LANGUAGE))
