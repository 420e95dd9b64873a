"""Every operator setting, declared once: name, default, type, help.

Settings come from environment variables. `docs/settings.md` lists them; a test keeps the two in step.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class SettingError(ValueError):
    """A setting has a value that cannot be used; the message names the variable."""


def _parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected a boolean (1/0, true/false, yes/no), got {raw!r}")


def _parse_list(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


def _parse_language(raw: str) -> str:
    value = raw.strip().lower()
    if not (2 <= len(value) <= 3 and value.isalpha()):
        raise ValueError(f"expected a two- or three-letter language code such as 'en', got {raw!r}")
    return value


def _parse_engine(raw: str) -> str:
    value = raw.strip().lower()
    if value not in ENGINES:
        raise ValueError(f"expected one of {', '.join(ENGINES)}, got {raw!r}")
    return value


ENGINES = ("ctranslate2", "none")


@dataclass(frozen=True)
class Option:
    name: str
    default: Any
    parse: Callable[[str], Any]
    help: str


OPTIONS: tuple[Option, ...] = (
    Option("VISTKA_DATA_DIR", "data", str,
           "Folder for the SQLite database, the secret key, translation packages and downloaded images."),
    Option("VISTKA_DATABASE_URL", "", str,
           "Database URL (postgres://user@host/db). Empty: SQLite in WAL mode at DATA_DIR/vistka.sqlite3."),
    Option("VISTKA_SECRET_KEY", "", str,
           "Django secret key. Empty: generated once and kept in DATA_DIR/secret_key."),
    Option("VISTKA_SITE_NAME", "Ukraine News Today", str, "The site's name, shown in the header and feeds."),
    Option("VISTKA_LANGUAGE", "en", _parse_language, "The site's language: every article is translated into it."),
    Option("VISTKA_DEBUG", False, _parse_bool, "Django debug mode. Never on a public site."),
    Option("VISTKA_ALLOWED_HOSTS", ["127.0.0.1", "localhost"], _parse_list,
           "Comma-separated host names the site answers to."),
    Option("VISTKA_TRANSLATION_ENGINE", "ctranslate2", _parse_engine,
           "Engine for articles not in the site language: ctranslate2 (offline Argos packages) or none."),
    Option("VISTKA_PUBLISH_UNTRANSLATED", False, _parse_bool,
           "Publish articles no engine can translate, in their original language with a visible notice, "
           "instead of holding them as 'awaiting translation'."),
    Option("VISTKA_USER_AGENT_CONTACT", "", str,
           "A URL or e-mail that outlets can use to reach the operator; sent in the User-Agent."),
    Option("VISTKA_FETCH_ALLOW_HOSTS", [], _parse_list,
           "Hosts or addresses that may be fetched although they are private or loopback "
           "(the demo and tests use 127.0.0.1)."),
    Option("VISTKA_FETCH_TIMEOUT", 20.0, float, "Seconds before one HTTP request to an outlet gives up."),
    Option("VISTKA_MAX_BODY_BYTES", 10_000_000, int, "Largest response body accepted from an outlet, in bytes."),
    Option("VISTKA_BROKER_URL", "", str,
           "Celery broker (redis://host:6379/0). Empty: the embedded default, every stage in-process."),
    Option("VISTKA_TASK_VISIBILITY_TIMEOUT", 3600, int,
           "Seconds before a task taken by a worker that died is handed to another worker. "
           "Must exceed the longest task (a long translation)."),
    Option("VISTKA_HOST_MIN_DELAY", 1.0, float,
           "Distributed mode: least seconds between two requests to one host, across all workers."),
    Option("VISTKA_HOST_MAX_CONNECTIONS", 2, int,
           "Distributed mode: most requests open at once to one host, across all workers."),
    Option("VISTKA_SCHEDULER_TICK", 30, int, "Seconds between two looks of `vistka scheduler` for due sources."),
    Option("VISTKA_POLL_INTERVAL", 900, int, "Seconds between two polls of one source."),
    Option("VISTKA_CT2_THREADS", 0, int, "CPU threads for the CTranslate2 engine (0: automatic)."),
    Option("VISTKA_CT2_COMPUTE_TYPE", "int8", str, "CTranslate2 compute type (int8, int8_float32, float32...)."),
)


def read_options(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Parse every option from the environment; raise SettingError naming the bad variable."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for option in OPTIONS:
        raw = env.get(option.name)
        if raw is None:
            values[option.name] = option.default
            continue
        try:
            values[option.name] = option.parse(raw)
        except ValueError as error:
            raise SettingError(f"{option.name}: {error}") from None
    return values
