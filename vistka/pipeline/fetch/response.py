"""Answers about one HTTP response: is it usable, how long to wait, and its body within the limits."""

from __future__ import annotations

import re
import time
import zlib
from collections.abc import Iterator
from email.utils import parsedate_to_datetime

import httpx

from vistka.pipeline.fetch.errors import FetchError

RATE_LIMIT_CODES = {429, 503}
# Numbers an outlet sends are capped (docs/fetching.md): a Retry-After of 10^20 s or 95 years must
# neither overflow the date arithmetic nor park a source; the scheduler caps it again at
# VISTKA_POLL_MAX_INTERVAL.
MAX_RETRY_AFTER = 7 * 86400.0
_DIGITS = re.compile(r"[0-9]+")
BOMB_MIN_BYTES = 1_000_000  # small bodies may compress very well; only big expansions are suspect
# What each kind of fetch accepts; anything else is refused before its body is read.
ACCEPTED_TYPES = {
    "page": ("text/html", "application/xhtml+xml", "text/plain", "application/octet-stream"),
    "feed": ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml", "application/rdf+xml",
             "application/feed+json", "application/json", "text/html", "text/plain", "application/octet-stream",
             "application/x-rss+xml"),
    "image": ("image/", "application/octet-stream"),
    "robots": ("text/", "application/octet-stream"),
}


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), at most
    MAX_RETRY_AFTER; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if _DIGITS.fullmatch(value):
        return MAX_RETRY_AFTER if len(value) > 9 else min(float(value), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
        seconds = when.timestamp() - (time.time() if now is None else now)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return min(max(0.0, seconds), MAX_RETRY_AFTER)


def declared_length(response: httpx.Response) -> int | None:
    """The Content-Length the server declared, if it is a plain number (a 5,000-digit one is not
    converted: Python refuses such ints, and it is over any limit anyway)."""
    declared = response.headers.get("content-length", "").strip()
    if not _DIGITS.fullmatch(declared):
        return None
    return int(declared) if len(declared) <= 18 else 10**18


def refuse_unusable(response: httpx.Response, url: str) -> None:
    """Raise FetchError in words for a status vistka cannot use (redirects are handled by the caller)."""
    code = response.status_code
    if code in RATE_LIMIT_CODES:
        wait = parse_retry_after(response.headers.get("retry-after"))
        asked = f"; it asked us to wait {wait:.0f} s (Retry-After)" if wait is not None else ""
        reason = "is rate-limiting us" if code == 429 else "is temporarily unavailable"
        raise FetchError(f"{url} {reason} (HTTP {code}){asked}", retry_after=wait, status=code)
    if code >= 400:
        raise FetchError(f"{url} answered HTTP {code} {response.reason_phrase}".rstrip(), status=code)


def check_content_type(response: httpx.Response, url: str, expect: str | None) -> None:
    if expect is None:
        return
    declared = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if declared and not declared.startswith(ACCEPTED_TYPES[expect]):
        article = "an" if expect[0] in "aeiou" else "a"
        raise FetchError(f"{url} serves {declared}, which is not {article} {expect} vistka can read")


def read_limited(response: httpx.Response, url: str, max_bytes: int, max_ratio: int) -> bytes:
    """The body, decompressed here in bounded steps so that neither a huge body nor a small gzip bomb
    can use more than max_bytes of memory; refused as soon as it passes a limit."""
    declared = declared_length(response)
    if declared is not None and declared > max_bytes:
        raise FetchError(f"{url} is {declared:,} bytes, over the {max_bytes:,}-byte limit")
    decoder = _decoder(response.headers.get("content-encoding", ""), url)
    body, transferred = bytearray(), 0
    for raw in response.iter_raw():
        transferred += len(raw)
        for piece in _expand(decoder, raw, min(max_bytes, 1 << 20) + 1):
            body += piece
            _check_size(url, len(body), transferred, max_bytes, max_ratio)
    return bytes(body)


def _check_size(url: str, size: int, transferred: int, max_bytes: int, max_ratio: int) -> None:
    if size > BOMB_MIN_BYTES and size > transferred * max_ratio:
        raise FetchError(f"{url} looks like a decompression bomb: {transferred:,} bytes sent "
                         f"expanded to more than {size:,}")
    if size > max_bytes:
        raise FetchError(f"{url} is over the {max_bytes:,}-byte limit (stopped reading)")


def _decoder(content_encoding: str, url: str):
    encoding = content_encoding.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return _DeflateDecoder()
    raise FetchError(f"{url} is sent with content encoding {encoding!r}, which vistka did not ask for")


def _expand(decoder, raw: bytes, step: int) -> Iterator[bytes]:
    """Decompress raw in pieces of at most `step` bytes, so one chunk cannot expand all at once."""
    if decoder is None:
        yield raw
        return
    data = raw
    while data:
        try:
            piece = decoder.decompress(data, step)
        except zlib.error as error:
            raise FetchError(f"the compressed body is corrupt: {error}") from None
        data = decoder.unconsumed_tail
        yield piece


class _DeflateDecoder:
    """'deflate' is zlib-wrapped per the RFC but raw deflate from some servers; accept both."""

    def __init__(self):
        self._inner = zlib.decompressobj()
        self._started = False

    def decompress(self, data: bytes, max_length: int) -> bytes:
        if not self._started:
            self._started = True
            try:
                return self._inner.decompress(data, max_length)
            except zlib.error:
                self._inner = zlib.decompressobj(-zlib.MAX_WBITS)
        return self._inner.decompress(data, max_length)

    @property
    def unconsumed_tail(self) -> bytes:
        return self._inner.unconsumed_tail
