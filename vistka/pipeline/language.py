"""Language stage: which language an article is written in."""

from __future__ import annotations

import re
import threading

from py3langid.langid import MODEL_FILE, LanguageIdentifier

# Letters that exist in one Cyrillic language and not the other settle uk/ru/be quickly and reliably
# on short texts, where statistical identification is weakest. (Counted by a regular expression: a
# Python loop over the sample's characters cost more than the statistical model.)
_DISTINCTIVE = {"uk": re.compile("[іїєґІЇЄҐ]"), "ru": re.compile("[ыэъёЫЭЪЁ]")}


def detect_language(text: str, declared: str = "") -> str:
    """ISO 639-1 code of text; `declared` (the source's language) wins when the text is too short."""
    sample = " ".join(text.split())[:2000]  # enough for a confident guess; classify time grows with length
    if len(sample) < 40:
        return declared or (identifier().classify(sample)[0] if sample else "")
    counts = {lang: len(letters.findall(sample)) for lang, letters in _DISTINCTIVE.items()}
    if counts["uk"] > 2 and counts["uk"] > counts["ru"] * 2:
        return "uk"
    if counts["ru"] > 2 and counts["ru"] > counts["uk"] * 2:
        return "ru"
    return identifier().classify(sample)[0]


_LOADING = threading.Lock()
_IDENTIFIER: list[LanguageIdentifier] = []


def identifier() -> LanguageIdentifier:
    """py3langid's model, loaded once per process. (py3langid loads it lazily without a lock: the
    first articles of a worker's threads each loaded it at once, 0.6 s of CPU apiece, and every
    thread stalled for seconds.) `vistka worker` loads it before taking tasks."""
    if not _IDENTIFIER:
        with _LOADING:
            if not _IDENTIFIER:
                _IDENTIFIER.append(LanguageIdentifier.from_model_file(MODEL_FILE))
    return _IDENTIFIER[0]
