"""Types shared by the translation modules (kept apart from __init__ to avoid import cycles)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class TranslatedArticle:
    title: str
    lead: str
    body_html: str
    engine: str
    model_id: str
    # (source sentence, translation) of every segment, for QA checks and the editor's view.
    segments: tuple[tuple[str, str], ...] = ()


class TranslationUnavailable(Exception):
    """No engine can translate src→tgt; the message says why (shown to the operator)."""


class TranslationError(Exception):
    """The engine failed while translating; the message is meant for the operator."""


@runtime_checkable
class Engine(Protocol):
    name: str  # one of vistka.config.choices.ENGINES
    model_id: str  # identifies the model for provenance, e.g. "argos:uk_en-1.9"

    def translate_texts(self, texts: list[str], source_lang: str, target_lang: str) -> list[str]:
        """Translate each text (a sentence, ideally); same length and order as `texts`."""
        ...


def normalize_language(code: str) -> str:
    """'uk-UA', 'UK', ' uk_ua ' → 'uk': feeds declare regional variants, packages are per language."""
    return code.strip().lower().replace("_", "-").split("-")[0]


def language_pair(source_lang: str, target_lang: str) -> str:
    return f"{normalize_language(source_lang)}→{normalize_language(target_lang)}"
