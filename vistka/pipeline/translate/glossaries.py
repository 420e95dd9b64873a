"""Glossary data: the YAML files that ship with an edition, and the entries editors keep in the admin.

A glossary file:

    source_lang: uk
    target_lang: en
    entries:
      - {source: Олександр Сирський, target: Oleksandr Syrskyi, kind: person, variants: [Syrsky]}

It is validated as a whole before anything is stored; loading only adds entries that are not in
the database yet (unless replace=True), so editors' changes survive a reload.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from django.db import transaction

from vistka.core.models import GlossaryEntry
from vistka.pipeline.translate import normalize_language
from vistka.pipeline.translate.glossary import Glossary, Term

EDITIONS_DIR = Path(__file__).resolve().parents[2] / "editions"  # vistka/editions
DEFAULT_GLOSSARIES = (EDITIONS_DIR / "glossaries" / "uk-en.yaml",)
_KINDS = {kind.value for kind in GlossaryEntry.Kind}


class GlossaryFileError(ValueError):
    """A glossary file does not follow the schema; the message names the file and the entry."""


@dataclass(frozen=True)
class GlossaryFile:
    source_lang: str
    target_lang: str
    terms: tuple[Term, ...]


def read_glossary_file(path: Path) -> GlossaryFile:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise GlossaryFileError(f"{path}: cannot be read: {error}") from error
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise GlossaryFileError(f"{path}: expected source_lang, target_lang and a list of entries")
    source_lang, target_lang = (normalize_language(str(data.get(key) or "")) for key in ("source_lang", "target_lang"))
    if not source_lang or not target_lang:
        raise GlossaryFileError(f"{path}: source_lang and target_lang are required")
    terms = [_term(entry, f"{path}: entry {number}") for number, entry in enumerate(data["entries"], 1)]
    duplicates = sorted({term.source for term in terms if sum(other.source == term.source for other in terms) > 1})
    if duplicates:
        raise GlossaryFileError(f"{path}: duplicate entries: {', '.join(duplicates)}")
    return GlossaryFile(source_lang, target_lang, tuple(terms))


def _term(entry: object, where: str) -> Term:
    if not isinstance(entry, dict):
        raise GlossaryFileError(f"{where}: expected a mapping with source and target")
    unknown = set(entry) - {"source", "target", "kind", "variants"}
    if unknown:
        raise GlossaryFileError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    source, target = str(entry.get("source") or "").strip(), str(entry.get("target") or "").strip()
    if not source or not target:
        raise GlossaryFileError(f"{where}: source and target are required")
    kind = str(entry.get("kind", "term"))
    if kind not in _KINDS:
        raise GlossaryFileError(f"{where} ({source}): kind must be one of {', '.join(sorted(_KINDS))}")
    variants = entry.get("variants") or []
    if not isinstance(variants, list) or not all(isinstance(variant, str) for variant in variants):
        raise GlossaryFileError(f"{where} ({source}): variants must be a list of strings")
    return Term(source=source, target=target, variants=tuple(variants), kind=kind)


@transaction.atomic
def load_glossary_file(path: Path, replace: bool = False) -> tuple[int, int]:
    """Store the file's entries; returns (added, updated). Existing entries change only with replace."""
    glossary = read_glossary_file(path)
    added = updated = 0
    for term in glossary.terms:
        defaults = {"target": term.target, "variants": list(term.variants), "kind": term.kind}
        lookup = {"source_lang": glossary.source_lang, "target_lang": glossary.target_lang, "source": term.source}
        if replace:
            _, created = GlossaryEntry.objects.update_or_create(**lookup, defaults=defaults)
            updated += not created
        else:
            _, created = GlossaryEntry.objects.get_or_create(**lookup, defaults=defaults)
        added += created
    return added, updated


def load_default_glossaries() -> int:
    """Load the edition glossaries whose language pair has no entries yet (first migrate)."""
    added = 0
    for path in DEFAULT_GLOSSARIES:
        pair = read_glossary_file(path)
        if not GlossaryEntry.objects.filter(source_lang=pair.source_lang, target_lang=pair.target_lang).exists():
            added += load_glossary_file(path)[0]
    return added


def glossary_for(source_lang: str, target_lang: str) -> Glossary:
    """The glossary editors keep for this language pair (empty when there is none)."""
    entries = GlossaryEntry.objects.filter(source_lang=normalize_language(source_lang),
                                           target_lang=normalize_language(target_lang))
    terms = [Term(entry.source, entry.target, tuple(entry.variants or ()), entry.kind) for entry in entries]
    return Glossary(terms, source_lang)
