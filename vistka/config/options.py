"""Every operator setting, declared once: name, default, type, help.

Settings come from environment variables. `docs/settings.md` lists them; a test keeps the two in step.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vistka.config.choices import ENGINES, QA_FLAGS


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


def _parse_flags(raw: str) -> list[str]:
    flags = _parse_list(raw.lower())
    unknown = [flag for flag in flags if flag not in QA_FLAGS and flag != "*"]
    if unknown:
        raise ValueError(f"unknown QA flag(s) {', '.join(unknown)}; choose from {', '.join(QA_FLAGS)} or *")
    return flags


def _parse_niceness(raw: str) -> int:
    value = int(raw)
    if not 0 <= value <= 19:
        raise ValueError("must be a niceness from 0 (same priority) to 19 (lowest)")
    return value


def _parse_processes(raw: str) -> str | int:
    if raw.strip().lower() == "auto":
        return "auto"
    count = int(raw)
    if count < 0:
        raise ValueError("must be auto or a number of processes, 0 or more")
    return count


def _parse_script_url(raw: str) -> str:
    value = raw.strip()
    if value and not (value.startswith("https://") or value.startswith("/")) or any(c in value for c in "\"'<> "):
        raise ValueError(f"expected an https:// URL or a /path without quotes or spaces, got {raw!r}")
    return value


def _parse_non_negative_int(raw: str) -> int:
    value = int(raw.strip())
    if value < 0:
        raise ValueError(f"expected 0 or more, got {raw!r}")
    return value


def _parse_proxy_ssl_header(raw: str) -> tuple[str, str] | None:
    """'X-Forwarded-Proto=https' (or just the name: the value is then https) -> Django's META form."""
    name, _, value = raw.strip().partition("=")
    name, value = name.strip(), value.strip() or "https"
    if not name:
        return None
    if not all(c.isalnum() or c == "-" for c in name):
        raise ValueError(f"expected a header name such as X-Forwarded-Proto=https, got {raw!r}")
    return "HTTP_" + name.upper().replace("-", "_"), value


def _parse_cache_url(raw: str) -> str:
    value = raw.strip()
    if value and not value.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError(f"expected a redis:// URL or nothing (the database cache), got {raw!r}")
    return value


def _parse_time_zone(raw: str) -> str:
    from zoneinfo import ZoneInfo

    value = raw.strip()
    try:
        ZoneInfo(value)
    except (ValueError, KeyError, OSError):
        raise ValueError(f"expected an IANA time zone such as Europe/Kyiv, got {raw!r}") from None
    return value


@dataclass(frozen=True)
class Option:
    name: str
    default: Any
    parse: Callable[[str], Any]
    help: str


OPTIONS: tuple[Option, ...] = (
    Option("VISTKA_DATA_DIR", "data", str,
           "Folder for the SQLite database, the secret key, translation packages, downloaded images and "
           "caches (cache/: the language model unpacked)."),
    Option("VISTKA_DATABASE_URL", "", str,
           "Database URL (postgres://user@host/db). Empty: SQLite in WAL mode at DATA_DIR/vistka.sqlite3."),
    Option("VISTKA_SECRET_KEY", "", str,
           "Django secret key. Empty: generated once and kept in DATA_DIR/secret_key."),
    Option("VISTKA_SITE_NAME", "Ukraine News Today", str, "The site's name, shown in the header and feeds."),
    Option("VISTKA_LANGUAGE", "en", _parse_language, "The site's language: every article is translated into it."),
    Option("VISTKA_DEBUG", False, _parse_bool, "Django debug mode. Never on a public site."),
    Option("VISTKA_ALLOWED_HOSTS", ["127.0.0.1", "localhost"], _parse_list,
           "Comma-separated host names the site answers to."),
    Option("VISTKA_HTTPS", False, _parse_bool,
           "The site is served over HTTPS (TLS ends here or at a proxy): the session and CSRF cookies are "
           "sent with the Secure flag, so a browser never sends them over plain HTTP."),
    Option("VISTKA_PROXY_SSL_HEADER", None, _parse_proxy_ssl_header,
           "Behind a TLS-terminating proxy: the header (and value) it sets on HTTPS requests, e.g. "
           "X-Forwarded-Proto=https, so the site knows a request came over HTTPS. Set it only when the "
           "proxy always sets or strips that header. Empty: no such header is trusted."),
    Option("VISTKA_HSTS_SECONDS", 0, _parse_non_negative_int,
           "Strict-Transport-Security max-age sent on HTTPS responses (31536000 = one year); browsers then "
           "refuse plain HTTP to the site for that long. 0: no HSTS header. Turn on once HTTPS works."),
    Option("VISTKA_HSTS_INCLUDE_SUBDOMAINS", False, _parse_bool,
           "Add includeSubDomains to the Strict-Transport-Security header (every subdomain must serve HTTPS)."),
    Option("VISTKA_TRUSTED_PROXIES", 0, _parse_non_negative_int,
           "Reverse proxies in front of the site that append the client's address to X-Forwarded-For "
           "(nginx: 1). The client is the address that many hops from the right; with 0 the header is "
           "ignored and the connection's address is the client (rate limits, login lockout)."),
    Option("VISTKA_CACHE_URL", "", _parse_cache_url,
           "Cache shared by every web process, for rate limits: redis://host:6379/1. Empty: a table in the "
           "site's database, so limits hold across gunicorn workers and machines without another server."),
    Option("VISTKA_WEB_WORKERS", 0, _parse_non_negative_int,
           "gunicorn worker processes for `vistka serve`, `vistka run` and `vistka demo` (each has 4 threads). "
           "0: one per CPU core, at least 2 and at most 8."),
    Option("VISTKA_TRANSLATION_ENGINE", "ctranslate2", _parse_engine,
           "Engine for articles not in the site language: ctranslate2 (offline Argos packages), openai "
           "(any OpenAI-compatible chat-completions server), libretranslate, or none. A source can override it."),
    Option("VISTKA_PUBLISH_UNTRANSLATED", False, _parse_bool,
           "Publish articles no engine can translate, in their original language with a visible notice, "
           "instead of holding them as 'awaiting translation'."),
    Option("VISTKA_USER_AGENT_CONTACT", "", str,
           "A URL or e-mail that outlets can use to reach the operator; sent in the User-Agent."),
    Option("VISTKA_FETCH_ALLOW_HOSTS", [], _parse_list,
           "Hosts, addresses or networks that may be fetched although they are private or loopback "
           "(the demo and tests use 127.0.0.1); host:port allows only that port (127.0.0.1:8001, [::1]:8080). "
           "An entry that can match no host is logged as a warning and ignored."),
    Option("VISTKA_FETCH_TIMEOUT", 20.0, float, "Seconds before one HTTP request to an outlet gives up."),
    Option("VISTKA_MAX_BODY_BYTES", 10_000_000, int, "Largest response body accepted from an outlet, in bytes."),
    Option("VISTKA_FETCH_CONNECT_TIMEOUT", 10.0, float, "Seconds to wait for an outlet's server to accept a connection."),
    Option("VISTKA_FETCH_READ_TIMEOUT", 15.0, float,
           "Longest silence, in seconds, while reading an answer (the total is still VISTKA_FETCH_TIMEOUT)."),
    Option("VISTKA_FETCH_MAX_REDIRECTS", 5, int, "Redirects followed for one request before giving up."),
    Option("VISTKA_FETCH_HOST_CONCURRENCY", 2, int, "Requests in flight at once to one host, at most."),
    Option("VISTKA_FETCH_HOST_DELAY", 1.0, float, "Seconds between the starts of two requests to one host, at least."),
    Option("VISTKA_FETCH_AHEAD", 4, int,
           "Article pages fetched ahead, in background threads, while earlier entries are processed "
           "(embedded runs; the threads are shared by the sources of a pass, and the next source's first "
           "pages are fetched while the last entries of one are written; 0: one at a time). Per-host "
           "limits apply to them as to any fetch."),
    Option("VISTKA_BODY_IMAGES_MAX", 20, int,
           "Pictures of one article body copied to our media folder, at most (later ones are left out "
           "with their captions; each is one request to the outlet, under the per-host limits)."),
    Option("VISTKA_EXTRACT_PROCESSES", "auto", _parse_processes,
           "Processes that extract article pages for the embedded pipeline while one process stores them "
           "(auto: one per CPU core, at most 4; 0: extract in the fetching process). Used for feeds with "
           "4 or more new pages."),
    Option("VISTKA_PIPELINE_NICE", 10, _parse_niceness,
           "Niceness of the embedded pipeline's passes (0-19; `vistka fetch`, `vistka run`): on a machine "
           "that also serves the site, readers' requests get the CPU first and the pipeline catches up "
           "when they are served (0: the same priority as the site; a process already nicer keeps its own)."),
    Option("VISTKA_EXTRACT_NICE", 10, _parse_niceness,
           "Niceness added to the extraction processes on top of the pipeline's (0-19): pages waiting to be "
           "extracted step back for the one process that stores and publishes them (0: the same priority)."),
    Option("VISTKA_FETCH_OBEY_ROBOTS", True, _parse_bool,
           "Obey each site's robots.txt for article pages (a disallowed article is skipped, with the reason)."),
    Option("VISTKA_POLL_MIN_INTERVAL", 300, int, "Shortest time, in seconds, between two polls of one source."),
    Option("VISTKA_POLL_MAX_INTERVAL", 86400, int,
           "Longest time, in seconds, between two polls of one source (quiet or failing)."),
    Option("VISTKA_SOURCE_FLAG_HOURS", 48, int,
           "A source failing for this many hours is flagged in `vistka sources list` and the admin."),
    Option("VISTKA_TIME_ZONE", "Europe/Kyiv", _parse_time_zone,
           "The edition's time zone: pages are dated in it, and an outlet's dates that give no zone are read "
           "in it unless the source has its own (Source.timezone)."),
    Option("VISTKA_QUARANTINE_AFTER", 5, int,
           "Failed attempts (fetch, extraction or processing, retried with backoff) after which an article is "
           "set aside as quarantined until `vistka retry-quarantined`."),
    Option("VISTKA_SOURCE_MOVED_AFTER", 3, int,
           "Polls in a row that a feed answers with a permanent redirect (301/308) before the source's "
           "feed URL is changed to the new address."),
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
           "How long a rendered page stays cached at most; an article's own page is rendered again as soon as "
           "it changes, and a withdrawal takes an article off every page at once."),
    Option("VISTKA_PAGE_LIST_DELAY", 5.0, float,
           "Seconds that cached lists (home, outlet, topic and story pages, feeds, sitemaps, search) may lag "
           "behind new articles: while the pipeline ingests, each list is rendered at most once per delay "
           "(0: at every change)."),
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
