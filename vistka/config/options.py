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


ENGINES = ("ctranslate2", "openai", "libretranslate", "none")
QA_FLAGS = ("number", "date", "cyrillic", "glossary", "length", "engine")  # = quality.FLAG_KINDS (a test checks)


def _parse_flags(raw: str) -> list[str]:
    flags = _parse_list(raw.lower())
    unknown = [flag for flag in flags if flag not in QA_FLAGS and flag != "*"]
    if unknown:
        raise ValueError(f"unknown QA flag(s) {', '.join(unknown)}; choose from {', '.join(QA_FLAGS)} or *")
    return flags


def _parse_script_url(raw: str) -> str:
    value = raw.strip()
    if value and not (value.startswith("https://") or value.startswith("/")) or any(c in value for c in "\"'<> "):
        raise ValueError(f"expected an https:// URL or a /path without quotes or spaces, got {raw!r}")
    return value


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
           "Engine for articles not in the site language: ctranslate2 (offline Argos packages), openai "
           "(any OpenAI-compatible chat-completions server), libretranslate, or none. A source can override it."),
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
    Option("VISTKA_FETCH_CONNECT_TIMEOUT", 10.0, float, "Seconds to wait for an outlet's server to accept a connection."),
    Option("VISTKA_FETCH_READ_TIMEOUT", 15.0, float,
           "Longest silence, in seconds, while reading an answer (the total is still VISTKA_FETCH_TIMEOUT)."),
    Option("VISTKA_FETCH_MAX_REDIRECTS", 5, int, "Redirects followed for one request before giving up."),
    Option("VISTKA_FETCH_HOST_CONCURRENCY", 2, int, "Requests in flight at once to one host, at most."),
    Option("VISTKA_FETCH_HOST_DELAY", 1.0, float, "Seconds between the starts of two requests to one host, at least."),
    Option("VISTKA_FETCH_AHEAD", 4, int,
           "Article pages of one feed fetched ahead, in background threads, while earlier entries are "
           "processed (embedded runs; 0: one at a time). Per-host limits apply to them as to any fetch."),
    Option("VISTKA_FETCH_OBEY_ROBOTS", True, _parse_bool,
           "Obey each site's robots.txt for article pages (a disallowed article is skipped, with the reason)."),
    Option("VISTKA_POLL_MIN_INTERVAL", 300, int, "Shortest time, in seconds, between two polls of one source."),
    Option("VISTKA_POLL_MAX_INTERVAL", 86400, int,
           "Longest time, in seconds, between two polls of one source (quiet or failing)."),
    Option("VISTKA_SOURCE_FLAG_HOURS", 48, int,
           "A source failing for this many hours is flagged in `vistka sources list` and the admin."),
    Option("VISTKA_BROKER_URL", "", str,
           "Celery broker (redis://host:6379/0). Empty: the embedded default, every stage in-process."),
    Option("VISTKA_TASK_VISIBILITY_TIMEOUT", 3600, int,
           "Seconds before a task taken by a worker that died is handed to another worker. "
           "Must exceed the longest task (a long translation)."),
    Option("VISTKA_SCHEDULER_TICK", 30, int, "Seconds between two looks of `vistka scheduler` for due sources."),
    Option("VISTKA_CT2_THREADS", 0, int, "CPU threads for the CTranslate2 engine (0: automatic)."),
    Option("VISTKA_CT2_COMPUTE_TYPE", "int8", str, "CTranslate2 compute type (int8, int8_float32, float32...)."),
    Option("VISTKA_EXCERPT_WORDS", 120, int,
           "Words of the body shown for sources in 'excerpt' licence mode (after the lead, with a link to the original)."),
    Option("VISTKA_API_RATE", "120/m", str,
           "Requests one client may make to the JSON API, e.g. 120/m or 5000/h (django-ninja throttle syntax)."),
    Option("VISTKA_OPENAI_URL", "http://127.0.0.1:11434/v1", str,
           "Base URL of the OpenAI-compatible API (Ollama, llama.cpp, vLLM or a hosted one), up to /v1."),
    Option("VISTKA_OPENAI_MODEL", "", str, "Model name sent to the OpenAI-compatible endpoint."),
    Option("VISTKA_OPENAI_API_KEY", "", str, "API key for the OpenAI-compatible endpoint (empty: none sent)."),
    Option("VISTKA_LIBRETRANSLATE_URL", "http://127.0.0.1:5000", str, "Base URL of a LibreTranslate server."),
    Option("VISTKA_LIBRETRANSLATE_API_KEY", "", str, "API key for the LibreTranslate server (empty: none sent)."),
    Option("VISTKA_TRANSLATION_TIMEOUT", 60.0, float,
           "Seconds before one request to a translation server (openai, libretranslate) gives up."),
    Option("VISTKA_TRANSLATION_RETRIES", 2, int,
           "Extra attempts after a translation server times out or answers 429/5xx."),
    Option("VISTKA_TRANSLATION_HOLD_FLAGS", [], _parse_flags,
           "QA flags that hold a translation for an editor ('in review') instead of publishing it: "
           "comma-separated from number, date, cyrillic, glossary, length, engine, or * for any flag. "
           "Empty: publish."),
    Option("VISTKA_COMMENTS_MODERATED", True, _parse_bool,
           "Hold readers' comments until an editor approves them in the admin (1), or show them at once (0)."),
    Option("VISTKA_ANALYTICS_SCRIPT", "", _parse_script_url,
           "URL of an analytics script (https://... or a /path on this site), loaded only for readers who "
           "clicked Accept; its origin is then allowed by the Content-Security-Policy. Empty: no analytics."),
    Option("VISTKA_PAGE_CACHE_SECONDS", 600, int,
           "How long a rendered page stays cached; publishing or changing an article empties the cache at once."),
    Option("VISTKA_STORY_JOIN_THRESHOLD", 0.15, float,
           "Score (0-1) above which a new article joins an existing story; see docs/stories.md."),
    Option("VISTKA_STORY_WINDOW_HOURS", 336.0, float,
           "An article joins only stories with an article at most this many hours away from it (two weeks: "
           "follow-ups that name the same event day join their story; closeness in time still counts "
           "through the 120-hour half-life)."),
    Option("VISTKA_DUPLICATE_THRESHOLD", 0.35, float,
           "Word-shingle Jaccard similarity (MinHash estimate) above which an article is a near-duplicate."),
    Option("VISTKA_STORY_SETTLE_HOURS", 24.0, float,
           "Articles fetched within this many hours are grouped again, in publication order, after each run "
           "(so late reports and arrival order do not change the stories); 0 turns it off."),
    Option("VISTKA_STORY_SETTLE_DELAY", 60, int,
           "Workers: seconds after an article is grouped until the settling pass runs (one pass for a burst)."),
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
