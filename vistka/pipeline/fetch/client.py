"""fetch(): one polite, bounded HTTP GET.

Each redirect hop is requested separately so that the per-host limiter applies to every host
touched, and every hop's connection goes through the address guard (see guard.py). Each thread keeps
its client, and with it its open connections, between fetches (_thread_client).
"""

from __future__ import annotations

import re
import threading
import time
import weakref
from contextlib import nullcontext
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urlsplit

import httpx

from vistka.pipeline.fetch.charset import as_utf8_document, decode_document
from vistka.pipeline.fetch.errors import FetchError
from vistka.pipeline.fetch.guard import AddressGuard, GuardedBackend, guarded_transport
from vistka.pipeline.fetch.policy import FetchPolicy
from vistka.pipeline.fetch.response import check_content_type, read_limited, refuse_unusable

REDIRECT_CODES = {301, 302, 303, 307, 308}
PERMANENT_REDIRECT_CODES = {301, 308}
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


@dataclass
class FetchResult:
    url: str
    status_code: int
    content: bytes
    headers: httpx.Headers
    moved_to: str = ""  # the final URL when every redirect on the way was permanent (301/308)

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
        """The charset the server declared (may be wrong: `text` checks it)."""
        return httpx.Response(200, headers=self.headers).charset_encoding

    @property
    def text(self) -> str:
        """The body decoded with the charset evidence weighed (see charset.py)."""
        return decode_document(self.content, self.encoding)[0]

    @property
    def html_text(self) -> str:
        """`text` without a leading XML declaration, which lxml refuses in an already-decoded string."""
        return _XML_DECLARATION.sub("", self.text, count=1)

    @property
    def utf8_content(self) -> bytes:
        """The body as UTF-8 bytes with its own charset declaration corrected, for feed parsing."""
        return as_utf8_document(self.content, self.encoding)


def fetch(url: str, policy: FetchPolicy, *, etag: str = "", last_modified: str = "",
          expect: str | None = None) -> FetchResult:
    """GET url. `expect` ("page", "feed", "image", "robots") refuses unsuitable content types early.

    Raises FetchError with an operator-readable message for every failure."""
    headers = {"User-Agent": policy.user_agent, "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    client = _thread_client(policy, deadline=time.monotonic() + policy.timeout)
    permanent = None  # unknown until the first redirect
    for _hop in range(policy.max_redirects + 1):
        outcome = _get_once(client, url, policy, expect, headers)
        if isinstance(outcome, FetchResult):
            if permanent:
                outcome.moved_to = outcome.url
            return outcome
        url, code = outcome
        permanent = (permanent is None or permanent) and code in PERMANENT_REDIRECT_CODES
    raise FetchError(f"more than {policy.max_redirects} redirects (a redirect loop?), last to {url}")


_THREAD = threading.local()


class _HeldClient(NamedTuple):
    key: tuple  # the policy's allow-list and timeouts the client was made for
    client: httpx.Client
    backend: GuardedBackend  # its connections' guard, whose deadline each fetch moves on


def _thread_client(policy: FetchPolicy, deadline: float) -> httpx.Client:
    """This thread's client, whose connections stay open between its fetches: a page and its
    pictures, or a feed's pages, mostly come from one host, which then costs one TCP (and TLS)
    handshake instead of one a request. Every new connection still goes through the address guard;
    every read and write, on a new connection or a kept one, ends by this fetch's deadline."""
    key = (tuple(policy.allow_hosts), policy.connect_timeout, policy.read_timeout)
    held: _HeldClient | None = getattr(_THREAD, "client", None)
    if held is None or held.key != key:
        if held is not None:
            held.client.close()
        backend = GuardedBackend(AddressGuard(policy.allow_hosts), deadline)
        client = httpx.Client(transport=guarded_transport(backend), follow_redirects=False, trust_env=False,
                              timeout=httpx.Timeout(policy.read_timeout, connect=policy.connect_timeout))
        # A fetching thread ends with its pass (run.poll_sources) or its feed: its kept connections close with it.
        weakref.finalize(threading.current_thread(), client.close)
        held = _THREAD.client = _HeldClient(key, client, backend)
    held.backend.deadline = deadline
    return held.client


def _get_once(client: httpx.Client, url: str, policy: FetchPolicy, expect: str | None,
              headers: dict[str, str]) -> FetchResult | tuple[str, int]:
    """One request: a FetchResult, or (the next URL, the status) when the answer is a redirect."""
    host = host_key(url)
    try:
        with _slot(policy, host), client.stream("GET", url, headers=headers) as response:
            if response.status_code in REDIRECT_CODES and "location" in response.headers:
                return _next_hop(response), response.status_code
            _refuse(response, url, policy, host)
            check_content_type(response, url, expect)
            content = read_limited(response, url, policy.max_body_bytes, policy.max_compression_ratio)
            return FetchResult(str(response.url), response.status_code, content, response.headers)
    except httpx.TimeoutException:
        raise FetchError(f"{url} timed out (limits: {policy.connect_timeout:g} s to connect, "
                         f"{policy.read_timeout:g} s of silence, {policy.timeout:g} s in all)") from None
    except httpx.InvalidURL as error:
        raise FetchError(f"not a fetchable URL: {url} ({error})") from None
    except httpx.ConnectError as error:
        raise FetchError(f"{url}: could not connect ({_reason(error)})") from None
    except (httpx.RemoteProtocolError, httpx.ReadError) as error:
        raise FetchError(f"{url}: the server broke off the answer ({_reason(error)})") from None
    except httpx.HTTPError as error:
        raise FetchError(f"{url} could not be fetched: {error or type(error).__name__}") from None


def _reason(error: Exception) -> str:
    text = str(error) or type(error).__name__
    return text.split("] ", 1)[-1] if text.startswith("[Errno") else text


def _slot(policy: FetchPolicy, host: str):
    return policy.limiter.slot(host) if policy.limiter else nullcontext()


def _refuse(response: httpx.Response, url: str, policy: FetchPolicy, host: str) -> None:
    try:
        refuse_unusable(response, url)
    except FetchError as error:
        if error.retry_after is not None and policy.limiter:
            policy.limiter.defer(host, error.retry_after)
        raise


def _next_hop(response: httpx.Response) -> str:
    target = response.url.join(response.headers["location"])
    if target.scheme not in ("http", "https"):
        raise FetchError(f"{response.url} redirects to {target}, which is not an http(s) address")
    return str(target)


def host_key(url: str) -> str:
    """The key the per-host limiter uses: host[:port], without any user info."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"not a fetchable URL: {url}")
    return parts.netloc.lower().rsplit("@", 1)[-1]
