"""Collect every sentence of an article first, translate them in one engine call, then read back.

One call per article lets CTranslate2 sort all sentences by length and fill its batches, which is
several times faster than translating block by block. Identical sentences (repeated captions,
link texts that also appear in the paragraph) are translated once.
"""

from __future__ import annotations

from .base import Engine, TranslationError, TranslationUnavailable
from .sentences import split_sentences

Ticket = tuple[int, ...]  # positions of one text's sentences in the batch


class SentenceBatch:
    def __init__(self) -> None:
        self._sentences: list[str] = []
        self._positions: dict[str, int] = {}
        self._translations: list[str] | None = None

    def __len__(self) -> int:
        return len(self._sentences)

    def add(self, text: str) -> Ticket:
        """Queue the sentences of `text`; the ticket reads its translation back after translate()."""
        return tuple(self._position_of(sentence) for sentence in split_sentences(text))

    def translate(self, engine: Engine, source_lang: str, target_lang: str) -> None:
        if not self._sentences:
            self._translations = []
            return
        try:
            translations = engine.translate_texts(list(self._sentences), source_lang, target_lang)
        except (TranslationError, TranslationUnavailable):
            raise
        except Exception as error:  # engines are plug-ins: report any failure the same way
            raise TranslationError(f"{engine.name} ({engine.model_id}) failed: {error}") from error
        if len(translations) != len(self._sentences):
            raise TranslationError(f"{engine.name} ({engine.model_id}) returned {len(translations)} "
                                   f"translations for {len(self._sentences)} sentences")
        self._translations = [translation.strip() for translation in translations]

    @property
    def sentences(self) -> list[str]:
        """Every distinct queued sentence, in the order first queued."""
        return list(self._sentences)

    def pairs(self) -> tuple[tuple[str, str], ...]:
        """(sentence, translation) for every queued sentence, after translate()."""
        if self._translations is None:
            raise RuntimeError("SentenceBatch.pairs() called before translate()")
        return tuple(zip(self._sentences, self._translations, strict=True))

    def text(self, ticket: Ticket) -> str:
        """The translated sentences of one queued text, joined with spaces."""
        if self._translations is None:
            raise RuntimeError("SentenceBatch.text() called before translate()")
        return " ".join(self._translations[i] for i in ticket if self._translations[i])

    def _position_of(self, sentence: str) -> int:
        if sentence not in self._positions:
            self._positions[sentence] = len(self._sentences)
            self._sentences.append(sentence)
        return self._positions[sentence]
