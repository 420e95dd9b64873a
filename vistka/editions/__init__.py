"""Editions: shipped lists of real outlets (one YAML file each), validated once when loaded."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from vistka.config.choices import LICENCE_MODES

EDITIONS_DIR = Path(__file__).resolve().parent
LICENCES = tuple(LICENCE_MODES)
CHECKED = ("public code", "unconfirmed")
FIELDS = {"name", "homepage", "feed_url", "language", "licence", "checked"}


class EditionError(ValueError):
    """An edition file does not follow the schema; the message names the entry and the field."""


@dataclass(frozen=True)
class EditionSource:
    name: str
    homepage: str
    feed_url: str
    language: str
    licence: str
    checked: str


@dataclass(frozen=True)
class Edition:
    name: str
    title: str
    sources: tuple[EditionSource, ...]
    timezone: str = ""  # the zone of its outlets' dates that give none (Source.timezone); "": VISTKA_TIME_ZONE


def available() -> list[str]:
    return sorted(path.stem for path in EDITIONS_DIR.glob("*.yaml"))


def load_edition(name: str) -> Edition:
    path = EDITIONS_DIR / f"{name}.yaml"
    if not path.is_file():
        raise EditionError(f"no edition named {name!r}; available: {', '.join(available())}")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    sources = tuple(_source(entry, index, path.name) for index, entry in enumerate(data.get("sources") or []))
    names = [source.name for source in sources]
    if len(set(names)) != len(names):
        raise EditionError(f"{path.name}: source names must be unique")
    return Edition(name, str(data.get("title") or name), sources, _timezone(data.get("timezone"), path.name))


def _timezone(value: object, filename: str) -> str:
    if not value:
        return ""
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(str(value))
    except (ValueError, KeyError, OSError):
        raise EditionError(f"{filename}: unknown time zone {value!r} (an IANA name such as Europe/Kyiv)") from None
    return str(value)


def _source(entry: dict, index: int, filename: str) -> EditionSource:
    where = f"{filename}, source #{index + 1} ({entry.get('name', '?') if isinstance(entry, dict) else '?'})"
    if not isinstance(entry, dict) or set(entry) != FIELDS:
        missing = FIELDS - set(entry or {}) if isinstance(entry, dict) else FIELDS
        raise EditionError(f"{where}: needs exactly the fields {sorted(FIELDS)}; missing {sorted(missing)}")
    for field in ("homepage", "feed_url"):
        if urlsplit(str(entry[field])).scheme != "https":
            raise EditionError(f"{where}: {field} must be an https URL, got {entry[field]!r}")
    if entry["licence"] not in LICENCES:
        raise EditionError(f"{where}: licence must be one of {LICENCES}")
    if entry["checked"] not in CHECKED:
        raise EditionError(f"{where}: checked must be one of {CHECKED}")
    language = str(entry["language"])
    if not (language.isalpha() and len(language) == 2):
        raise EditionError(f"{where}: language must be a two-letter code, got {language!r}")
    return EditionSource(**{key: str(value) for key, value in entry.items()})
