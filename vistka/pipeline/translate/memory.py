"""Translation memory: a segment already translated by the same engine and model is never translated
again (boilerplate, repeated quotes, re-fetched articles). Editors' corrections are stored here too,
so they win over the engine's output the next time the segment appears.

Segments are keyed by the sha256 of their text as sent to the engine (after glossary substitution),
together with the engine, the model and the language pair: a new model starts a fresh memory.

The editors' memory (engine EDITORS) holds translations people wrote, imported in bulk (the sample
edition ships one: vistka/samples/translations/). An article whose every segment it holds is
published as translated by the editors, without any engine; it is keyed by the outlet's own text,
not by the glossary-substituted one, because no engine sees it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, Q, Sum

from vistka.core.models import EDITORS, TranslationMemory
from vistka.pipeline.translate import Engine, TranslationUnavailable, normalize_language

EDITORS_MODEL = "editors"  # the editors' memory is one scope, whatever edition it was imported for


def segment_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class MemoryEngine:
    """Wraps an engine with the translation memory; counts its hits and misses."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.name = engine.name
        self.model_id = engine.model_id
        self.hits = 0
        self.misses = 0

    def translate_texts(self, texts: list[str], source_lang: str, target_lang: str) -> list[str]:
        source, target = normalize_language(source_lang), normalize_language(target_lang)
        keys = [segment_hash(text) for text in texts]
        remembered = self._lookup(set(keys), source, target)
        missing = [i for i, (key, text) in enumerate(zip(keys, texts, strict=True))
                   if key not in remembered and text.strip()]
        translated = self.engine.translate_texts([texts[i] for i in missing], source_lang, target_lang) if missing else []
        self._store([(texts[i], translation) for i, translation in zip(missing, translated, strict=True)],
                     source, target)
        fresh = dict(zip(missing, translated, strict=True))
        self.hits += len(texts) - len(missing) - sum(1 for text in texts if not text.strip())
        self.misses += len(missing)
        return [fresh[i] if i in fresh else remembered.get(key, "") for i, key in enumerate(keys)]

    def _scope(self, source: str, target: str) -> Q:
        return Q(engine=self.name, model_id=self.model_id, source_lang=source, target_lang=target)

    def _lookup(self, keys: set[str], source: str, target: str) -> dict[str, str]:
        rows = TranslationMemory.objects.filter(self._scope(source, target), source_hash__in=keys)
        found = dict(rows.values_list("source_hash", "target_text"))
        if found:
            rows.update(hits=F("hits") + 1)
        return found

    def _store(self, pairs: list[tuple[str, str]], source: str, target: str) -> None:
        rows = [TranslationMemory(engine=self.name, model_id=self.model_id, source_lang=source, target_lang=target,
                                  source_hash=segment_hash(text), source_text=text, target_text=translation)
                for text, translation in pairs if translation.strip()]  # an empty answer is not remembered
        # A parallel worker may have stored the same segment meanwhile: keep the first.
        TranslationMemory.objects.bulk_create(rows, ignore_conflicts=True)


class MemoryOnlyEngine:
    """An engine that knows only what the memory holds (re-rendering a corrected translation)."""

    def __init__(self, name: str, model_id: str) -> None:
        self.name, self.model_id = name, model_id

    def translate_texts(self, texts: list[str], source_lang: str, target_lang: str) -> list[str]:
        raise TranslationUnavailable(f"{len(texts)} segment(s) are not in the translation memory of "
                                     f"{self.name} ({self.model_id})")


def editors_engine() -> MemoryEngine:
    """Translates only from the editors' memory; TranslationUnavailable when a segment is missing."""
    return MemoryEngine(MemoryOnlyEngine(EDITORS, EDITORS_MODEL))


def has_editors_translations(source_lang: str, target_lang: str) -> bool:
    return TranslationMemory.objects.filter(
        engine=EDITORS, model_id=EDITORS_MODEL, source_lang=normalize_language(source_lang),
        target_lang=normalize_language(target_lang)).exists()


def is_editors(engine_name: str) -> bool:
    return engine_name == EDITORS


@transaction.atomic
def import_editors_translations(pairs: list[tuple[str, str]], source_lang: str, target_lang: str) -> int:
    """Store people's translations of segments in the editors' memory (a changed one replaces the old);
    returns how many pairs were new or changed."""
    source, target = normalize_language(source_lang), normalize_language(target_lang)
    wanted = {segment_hash(text): (text, translation) for text, translation in pairs if text.strip()
              and translation.strip()}
    scope = Q(engine=EDITORS, model_id=EDITORS_MODEL, source_lang=source, target_lang=target)
    stored = dict(TranslationMemory.objects.filter(scope, source_hash__in=list(wanted))
                  .values_list("source_hash", "target_text"))
    changed = [key for key, (_text, translation) in wanted.items() if key in stored and stored[key] != translation]
    for key in changed:
        TranslationMemory.objects.filter(scope, source_hash=key).update(target_text=wanted[key][1])
    TranslationMemory.objects.bulk_create(
        [TranslationMemory(engine=EDITORS, model_id=EDITORS_MODEL, source_lang=source, target_lang=target,
                           source_hash=key, source_text=text, target_text=translation, corrected=True)
         for key, (text, translation) in wanted.items() if key not in stored], ignore_conflicts=True)
    return len(changed) + sum(1 for key in wanted if key not in stored)


@transaction.atomic
def remember_correction(engine: str, model_id: str, source_lang: str, target_lang: str,
                        source_text: str, target_text: str) -> None:
    """Store an editor's translation of a segment: it replaces the engine's from now on."""
    TranslationMemory.objects.update_or_create(
        engine=engine, model_id=model_id, source_lang=normalize_language(source_lang),
        target_lang=normalize_language(target_lang), source_hash=segment_hash(source_text),
        defaults={"source_text": source_text, "target_text": target_text, "corrected": True},
    )


@dataclass(frozen=True)
class MemoryStats:
    segments: int
    hits: int
    translated: int  # segments the engines translated (the misses)

    @property
    def hit_rate(self) -> float:
        lookups = self.hits + self.translated
        return self.hits / lookups if lookups else 0.0


def memory_stats() -> MemoryStats:
    totals = TranslationMemory.objects.aggregate(
        segments=Count("id"), hits=Sum("hits"), translated=Count("id", filter=Q(corrected=False)))
    return MemoryStats(segments=totals["segments"], hits=totals["hits"] or 0, translated=totals["translated"])
