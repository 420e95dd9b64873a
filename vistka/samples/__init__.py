"""Bundled sample news outlets (static sites + feeds) used by tests and ``make demo``.

The rendered site lives in ``site/`` and the extraction gold standard in ``gold.json``;
both contain the literal placeholder ``{{BASE}}`` where an absolute URL of the sample
server is needed. :class:`SampleOutletServer` substitutes it at serve time and
:func:`load_gold` can substitute it for the gold entries.

See ``README.md`` in this directory for the layout and how to add an article.
"""

from __future__ import annotations

import json
from pathlib import Path

SAMPLES_DIR = Path(__file__).resolve().parent
SITE_DIR = SAMPLES_DIR / "site"
CORPUS_DIR = SAMPLES_DIR / "corpus"
GOLD_PATH = SAMPLES_DIR / "gold.json"
STORIES_PATH = SAMPLES_DIR / "stories.json"
OUTLETS_PATH = SAMPLES_DIR / "outlets.yaml"
TRANSLATIONS_DIR = SAMPLES_DIR / "translations"
BASE_PLACEHOLDER = "{{BASE}}"


def substitute_base(value, base_url: str):
    """Recursively replace ``{{BASE}}`` in strings of a JSON-like structure."""
    if isinstance(value, str):
        return value.replace(BASE_PLACEHOLDER, base_url.rstrip("/"))
    if isinstance(value, list):
        return [substitute_base(v, base_url) for v in value]
    if isinstance(value, dict):
        return {k: substitute_base(v, base_url) for k, v in value.items()}
    return value


def load_gold(base_url: str | None = None) -> list[dict]:
    """Load ``gold.json``; if ``base_url`` is given, substitute ``{{BASE}}`` with it."""
    data = json.loads(GOLD_PATH.read_text(encoding="utf-8"))
    if base_url is not None:
        data = substitute_base(data, base_url)
    return data


def load_stories() -> list[dict]:
    """Story index: slug, title, date, article ids, outlets, hard negatives, near duplicates."""
    return json.loads(STORIES_PATH.read_text(encoding="utf-8"))


def load_translations() -> dict[str, list[tuple[str, str]]]:
    """The editors' translations of the Ukrainian articles: article id → [(uk sentence, en sentence)]."""
    import yaml

    articles: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(TRANSLATIONS_DIR.glob("*.yaml")):
        for article_id, pairs in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            articles[article_id] = [(pair["uk"], pair["en"]) for pair in pairs]
    return articles


def translation_pairs() -> list[tuple[str, str]]:
    """Every distinct (Ukrainian, English) sentence pair of the editors' translations."""
    return list(dict.fromkeys(pair for pairs in load_translations().values() for pair in pairs))


def __getattr__(name: str):
    # lazy, so that ``python -m vistka.samples.server`` does not import the module twice
    if name in ("SampleOutletServer", "outlets"):
        from . import server

        return getattr(server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BASE_PLACEHOLDER",
    "CORPUS_DIR",
    "GOLD_PATH",
    "OUTLETS_PATH",
    "SAMPLES_DIR",
    "SITE_DIR",
    "STORIES_PATH",
    "TRANSLATIONS_DIR",
    "SampleOutletServer",
    "load_gold",
    "load_stories",
    "load_translations",
    "outlets",
    "substitute_base",
    "translation_pairs",
]
