"""Fetch stage: one polite, bounded HTTP GET, and answers about the response.

Failures become FetchError with a message an operator can read ("timed out after 20 s", "answered 503").
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from vistka import __version__

MAX_REDIRECTS = 5
REDIRECT_CODES = {301, 302, 303, 307, 308}


class FetchError(Exception):
    """A request failed; str(error) is shown to the operator as the source's or article's error."""


class NoHostLimit:
    """Per-host limiter that never waits (used where nothing is configured)."""

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        yield


@dataclass
class FetchPolicy:
    timeout: float = 20.0
    max_body_bytes: int = 10_000_000
    allow_hosts: list[str] = field(default_factory=list)
    contact: str = ""
    limiter: object = field(default_factory=NoHostLimit)  # anything with a slot(host) context manager

    @property
    def user_agent(self) -> str:
        contact = f"; +{self.contact}" if self.contact else ""
        return f"vistka/{__version__} (news aggregator{contact})"

    @classmethod
    def from_settings(cls) -> FetchPolicy:
        from django.conf import settings

        return cls(
            timeout=settings.FETCH_TIMEOUT,
            max_body_bytes=settings.MAX_BODY_BYTES,
            allow_hosts=list(settings.FETCH_ALLOW_HOSTS),
            contact=settings.USER_AGENT_CONTACT,
            limiter=_shared_limiter(),
        )


_limiter = None


def _shared_limiter():
    """With a broker, politeness is shared by all workers through Redis; in-process otherwise."""
    global _limiter
    from django.conf import settings

    if _limiter is None:
        if settings.BROKER_URL.startswith(("redis://", "rediss://")):
            from vistka.workers.limiter import RedisHostLimiter

            _limiter = RedisHostLimiter(settings.BROKER_URL, settings.HOST_MIN_DELAY, settings.HOST_MAX_CONNECTIONS)
        else:
            _limiter = NoHostLimit()
    return _limiter


@dataclass
class FetchResult:
    url: str
    status_code: int
    content: bytes
    headers: httpx.Headers

    @property
    def not_modified(self) -> bool:
        return self.status_code == 304

    @property
    def etag(self) -> str:
        return self.headers.get("etag", "")

    @property
    def last_modified(self) -> str:
        return self.headers.get("last-modified", "")

    @property
    def encoding(self) -> str | None:
        return httpx.Response(200, headers=self.headers).charset_encoding


def refuse_private_address(url: str, allow_hosts: list[str]) -> None:
    """Refuse URLs whose host resolves to a loopback, private, link-local or reserved address."""
    host = urlsplit(url).hostname
    if not host:
        raise FetchError(f"not a fetchable URL: {url}")
    if host in allow_hosts:
        return
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror as error:
        raise FetchError(f"cannot resolve host {host}: {error.strerror}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if address.compressed in allow_hosts:
            continue
        if not address.is_global:
            raise FetchError(f"refused: {host} resolves to a non-public address ({address})")


def fetch(url: str, policy: FetchPolicy, *, etag: str = "", last_modified: str = "") -> FetchResult:
    """GET url with redirects checked hop by hop, conditional headers and a streaming size limit."""
    headers = {"User-Agent": policy.user_agent, "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    with httpx.Client(timeout=policy.timeout, follow_redirects=False, headers=headers) as client:
        for _hop in range(MAX_REDIRECTS + 1):
            refuse_private_address(url, policy.allow_hosts)
            with policy.limiter.slot(urlsplit(url).hostname or ""):
                response_or_next = _get_once(client, url, policy)
            if isinstance(response_or_next, str):
                url = response_or_next
                continue
            return response_or_next
    raise FetchError(f"more than {MAX_REDIRECTS} redirects, last to {url}")


def _get_once(client: httpx.Client, url: str, policy: FetchPolicy) -> FetchResult | str:
    """One request: a FetchResult, or the next URL when the answer is a redirect."""
    try:
        with client.stream("GET", url) as response:
            if response.status_code in REDIRECT_CODES and "location" in response.headers:
                return str(response.url.join(response.headers["location"]))
            if response.status_code >= 400:
                raise FetchError(f"{url} answered HTTP {response.status_code} {response.reason_phrase}")
            content = _read_limited(response, policy.max_body_bytes)
            return FetchResult(str(response.url), response.status_code, content, response.headers)
    except httpx.TimeoutException:
        raise FetchError(f"{url} timed out after {policy.timeout:g} s") from None
    except httpx.HTTPError as error:
        raise FetchError(f"{url} could not be fetched: {error}") from None


def _read_limited(response: httpx.Response, limit: int) -> bytes:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise FetchError(f"{response.url} is {int(declared):,} bytes, over the {limit:,}-byte limit")
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise FetchError(f"{response.url} is over the {limit:,}-byte limit")
        chunks.append(chunk)
    return b"".join(chunks)
