"""The one date normaliser: every date an outlet sends (feed entries, JSON-LD, OpenGraph/meta tags,
htmldate's guess, sitemaps, HTTP headers) becomes an aware UTC datetime inside a plausible range,
or None.

Plausible: from PLAUSIBLE_FROM (1990-01-01, before any news site) to now + FUTURE_SLACK (1 day: a
clock a little ahead or a zone mistake, not a typo of the year). A date without a time zone is read
in the source's time zone (`Source.timezone`, default the site's VISTKA_TIME_ZONE, see docs/sources.md).
Nothing here raises on outlet data: years 0 and 10000, offsets that push year 1 below year 1, NaN
timestamps and arbitrary strings all come out as None with the reason in words, and the caller
moves on to its next candidate.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, tzinfo
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

log = logging.getLogger("vistka.dates")

PLAUSIBLE_FROM = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)
MAX_TEXT = 100  # no real date is longer; a longer string is not worth parsing
_ISO_START = re.compile(r"\s*[+-]?\d{4,}-\d")
_NUMERIC_OFFSET = re.compile(r"(.*[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s*([+-]\d{2})(\d{2})")


class DateRejected(ValueError):
    """Why a value is not a usable date (said to the operator as a warning)."""


def zone(name: str | tzinfo | None) -> tzinfo:
    """A time zone from its IANA name; UTC for an empty or unknown name (never raises)."""
    if isinstance(name, tzinfo):
        return name
    try:
        return ZoneInfo(name) if name else UTC
    except (ValueError, KeyError, OSError):  # zoneinfo raises several kinds for bad names
        return UTC


def plausible_until(now: datetime | None = None) -> datetime:
    return (now or datetime.now(UTC)) + FUTURE_SLACK


def checked_date(value: object, tz: str | tzinfo | None = None, now: datetime | None = None,
                 keep_offset: bool = False) -> datetime:
    """`value` as an aware UTC datetime in the plausible range; DateRejected (a ValueError) says why not.

    Accepts datetime, date, ISO 8601 and RFC 2822 strings, time.struct_time (feedparser's, UTC) and
    Unix timestamps. `keep_offset`: the same instant in the offset the value gave (extraction keeps
    the page's local day that way); it is stored as UTC all the same."""
    local = _as_datetime(value)
    if local.tzinfo is None or local.utcoffset() is None:
        local = local.replace(tzinfo=zone(tz))
    try:
        moment = local.astimezone(UTC)
    except (OverflowError, ValueError):
        raise DateRejected(f"{_show(value)} is out of range") from None
    if moment < PLAUSIBLE_FROM:
        raise DateRejected(f"{_show(value)} is before {PLAUSIBLE_FROM:%Y}")
    if moment > plausible_until(now):
        raise DateRejected(f"{_show(value)} is in the future")
    return local if keep_offset else moment


def normalise_date(value: object, tz: str | tzinfo | None = None, now: datetime | None = None,
                   warnings: list[str] | None = None, what: str = "date", keep_offset: bool = False) -> datetime | None:
    """checked_date, or None (with the reason appended to `warnings`, when given, and logged)."""
    if value is None or value == "":
        return None
    try:
        return checked_date(value, tz, now, keep_offset)
    except DateRejected as error:
        message = f"{what} ignored: {error}"
        log.info(message)
        if warnings is not None:
            warnings.append(message)
        return None
    except Exception:  # noqa: BLE001 - a parser bug on outlet data must cost one date, not a run
        log.warning("%s ignored: unexpected error reading %s", what, _show(value), exc_info=True)
        if warnings is not None:
            warnings.append(f"{what} ignored: {_show(value)} could not be read")
        return None


def first_date(candidates: Iterable[tuple[str, object]], tz: str | tzinfo | None = None,
               now: datetime | None = None, warnings: list[str] | None = None,
               keep_offset: bool = False) -> tuple[str, datetime] | None:
    """The first (name, date) whose value is a usable date; rejected ones are noted in `warnings`."""
    for name, value in candidates:
        value = value() if callable(value) else value
        moment = normalise_date(value, tz, now, warnings, what=f"{name} date", keep_offset=keep_offset)
        if moment is not None:
            return name, moment
    return None


def clamp_to_plausible(moment: datetime | None, now: datetime | None = None) -> datetime | None:
    """For values already stored: an aware datetime inside the plausible range (the nearest end), so
    date arithmetic downstream (story windows, archives) cannot overflow; None stays None."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        moment = moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return PLAUSIBLE_FROM if moment.year < 2000 else plausible_until(now)
    return min(max(moment, PLAUSIBLE_FROM), plausible_until(now))


def _as_datetime(value: object) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, time.struct_time):
        return _from_struct(value)
    if isinstance(value, bool):
        raise DateRejected(f"{value!r} is not a date")
    if isinstance(value, int | float):
        return _from_timestamp(float(value))
    if isinstance(value, str):
        return parse_date_text(value)
    raise DateRejected(f"a {type(value).__name__} is not a date")


def _from_struct(value: time.struct_time) -> datetime:
    try:
        return datetime(*value[:6], tzinfo=UTC)  # feedparser's *_parsed values are in UTC
    except (ValueError, TypeError, OverflowError):
        raise DateRejected(f"{time.strftime('%Y-%m-%d', value) if 0 < value[0] < 10000 else value[0]} "
                           f"is not a valid date") from None


def _from_timestamp(seconds: float) -> datetime:
    if not math.isfinite(seconds):
        raise DateRejected(f"{seconds} is not a time")
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise DateRejected(f"timestamp {seconds:.0f} is out of range") from None


def looks_iso(text: str) -> bool:
    """Starts like an ISO 8601 date (a year, a dash, a digit), including impossible years."""
    return bool(_ISO_START.match(text))


def parse_date_text(text: str) -> datetime:
    """ISO 8601 (with or without zone, "+0200" offsets too) or RFC 2822; DateRejected otherwise."""
    text = " ".join(text.split())
    if not text:
        raise DateRejected("the date is empty")
    if len(text) > MAX_TEXT:
        raise DateRejected(f"{text[:40]!r}… is too long to be a date")
    iso = text.replace("Z", "+00:00").replace("z", "+00:00")
    offset = _NUMERIC_OFFSET.fullmatch(iso)
    if offset:
        iso = f"{offset.group(1)}{offset.group(2)}:{offset.group(3)}"
    try:
        return datetime.fromisoformat(iso)
    except ValueError as error:
        if looks_iso(text):
            raise DateRejected(f"{text!r} is not a valid date ({error})") from None
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        parsed = None
    if parsed is None:
        raise DateRejected(f"{text!r} is not a date vistka can read")
    if parsed.tzinfo is None and text.endswith("-0000"):
        parsed = parsed.replace(tzinfo=UTC)  # RFC 2822: the time is UTC, the sender's zone unknown
    return parsed


def _show(value: object) -> str:
    text = repr(value) if not isinstance(value, str) else repr(" ".join(value.split()))
    return text if len(text) <= 60 else text[:59] + "…"
