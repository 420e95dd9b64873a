"""Rendered pages, cached until what they show changes — and only as much as changed.

Every process (each gunicorn worker, `vistka fetch`, `vistka run`, a Celery worker) reads and writes
one small file of *change marks* beside the data, `DATA_DIR/page-marks`, mapped into memory (reading
a mark is a memory read, writing one a memory write: no system call per request or per save):

- the **take-down mark**: when an article was last withdrawn, rejected or deleted (or a source
  deleted). Every page rendered before it is stale at once, everywhere.
- the **content mark**: when anything shown was last saved (a new publication, a story, a topic, a
  source's poll...). Lists — home, outlets, topics, stories, feeds, sitemaps, search — may show what
  they showed until `VISTKA_PAGE_LIST_DELAY` seconds after they were rendered, so while the pipeline
  ingests, readers keep getting cached lists and each list is rendered at most once per delay.
- the **article marks**: one slot per article (by id modulo the number of slots): an article's own
  page is stale as soon as the article, its translation, topics or comments change. (Two articles
  may share a slot: the other's page is then rendered once more, never served stale.)

A cached page stores when its rendering started, so a change committed while it was being rendered
makes it stale. ETags are a hash of the page itself, so a 304 is only ever given for the same bytes.

A page is stored gzip-compressed, once, when it is rendered: a hit is answered with those bytes to
every client that accepts gzip (browsers and feed readers do), instead of GZipMiddleware compressing
the same page again for every request (~0.6 ms of CPU for a 50 KB page), and decompressed (~0.06 ms)
for the few that do not. The cache holds about a fifth of the bytes it held uncompressed. A cached
page is the same for every reader (no session, no CSRF token: _cacheable), so compressing it once
reveals nothing BREACH could use.

A list past its delay is rendered again by one thread of the process; meanwhile the process's other
threads keep serving the copy they have (`X-Cache: updating`, as nginx's `proxy_cache_use_stale
updating` and the stale-while-revalidate of CDNs), instead of every waiting reader rendering the same
page at once. Only lists lag so: a page stale by a take-down or by its own article's change is never
served while it is rendered again.
"""

from __future__ import annotations

import gzip
import hashlib
import mmap
import os
import struct
import threading
import time
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.middleware.gzip import GZipMiddleware, re_accepts_gzip
from django.utils.http import http_date
from django.utils.text import compress_string

from vistka.site.consent import consent_state

RENDER_CLAIM_SECONDS = 30.0  # a render taking longer than this no longer keeps other threads from rendering
ARTICLE_SLOTS = 8192  # per-article marks; more slots, fewer pages rendered again for a neighbour's change
_TAKEDOWN, _CONTENT, _FIRST_ARTICLE = 0, 1, 2
_SLOT = struct.Struct("d")  # seconds since the epoch; aligned 8-byte writes


class _Marks:
    """The marks file of one data directory, mapped once per process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._path = None
        self._map: mmap.mmap | None = None

    def _mapped(self) -> mmap.mmap:
        path = settings.DATA_DIR / "page-marks"
        if self._map is None or path != self._path:
            with self._lock:
                if self._map is None or path != self._path:
                    self._map, self._path = _map_file(path), path
        return self._map

    def read(self, slot: int) -> float:
        return _SLOT.unpack_from(self._mapped(), slot * _SLOT.size)[0]

    def write(self, *slots: int) -> None:
        """Set the slots to now (never back: a slower writer's older time must not hide a newer change)."""
        marks, now = self._mapped(), time.time()
        for slot in slots:
            if _SLOT.unpack_from(marks, slot * _SLOT.size)[0] < now:
                _SLOT.pack_into(marks, slot * _SLOT.size, now)


def _map_file(path) -> mmap.mmap:
    size = (_FIRST_ARTICLE + ARTICLE_SLOTS) * _SLOT.size
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if os.fstat(descriptor).st_size < size:
            os.ftruncate(descriptor, size)  # zeros: "never changed"
        return mmap.mmap(descriptor, size)
    finally:
        os.close(descriptor)


MARKS = _Marks()


def article_slot(article_id: int) -> int:
    return _FIRST_ARTICLE + article_id % ARTICLE_SLOTS


def content_changed(*article_ids: int) -> None:
    """Something shown changed: these articles' own pages now, lists within VISTKA_PAGE_LIST_DELAY."""
    MARKS.write(_CONTENT, *(article_slot(pk) for pk in article_ids if pk))


def taken_down() -> None:
    """Something shown must disappear at once (withdrawal, rejection, deletion): every page is stale."""
    MARKS.write(_TAKEDOWN, _CONTENT)


def bump_revision() -> None:
    """Every cached page is stale (after bulk loads and edits that bypass the save signals)."""
    taken_down()


def _cacheable(request: HttpRequest) -> bool:
    # Editors logged in to the admin carry a session cookie; they always get a fresh page.
    return request.method in ("GET", "HEAD") and settings.SESSION_COOKIE_NAME not in request.COOKIES


def _page_cache():
    return caches["pages"] if "pages" in settings.CACHES else caches["default"]


FRESH, LAGGING, STALE = "fresh", "lagging", "stale"


def _state(stored: tuple, now: float) -> str:
    """FRESH: serve it; LAGGING: a list past its delay behind newer content; STALE: never serve it."""
    _body, _kind, _etag, rendered_at, own_slot, _encoding = stored
    if rendered_at <= MARKS.read(_TAKEDOWN):
        return STALE
    if own_slot is not None and rendered_at <= MARKS.read(own_slot):
        return STALE
    if rendered_at > MARKS.read(_CONTENT) or now - rendered_at < settings.PAGE_LIST_DELAY:
        return FRESH
    return LAGGING


class _Renders:
    """The lagging pages this process is rendering again, by key: the thread rendering each, since when."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_key: dict[str, tuple[int, float]] = {}

    def claim(self, key: str, now: float) -> bool:
        """Whether this thread is to render the page: nobody else in the process is (or for too long)."""
        me = threading.get_ident()
        with self._lock:
            owner = self._by_key.get(key)
            if owner is not None and owner[0] != me and now - owner[1] < RENDER_CLAIM_SECONDS:
                return False
            if owner is None or owner[0] != me:
                self._by_key[key] = (me, now)
            return True

    def release(self, key: str) -> None:
        """This thread's render of the page is over (stored, failed or never started)."""
        with self._lock:
            owner = self._by_key.get(key)
            if owner is not None and owner[0] == threading.get_ident():
                del self._by_key[key]


RENDERS = _Renders()


def cached_response(request: HttpRequest) -> tuple[HttpResponse | None, str]:
    """A 304 or the cached page when one may be served; else None, and the key to store it under.

    A lagging list is served as it is while another thread of this process renders it again; the
    first thread to find it lagging gets None and renders it (cached_page releases the key; a render
    that never gets there stops holding the others back after RENDER_CLAIM_SECONDS)."""
    key = _page_key(request)
    stored = _page_cache().get(key)
    if stored is None:
        return None, key
    now = time.time()
    state = _state(stored, now)
    if state == STALE or (state == LAGGING and RENDERS.claim(key, now)):
        return None, key
    body, content_type, etag, rendered_at, _, encoding = stored
    served = "hit" if state == FRESH else "updating"
    if etag in request.headers.get("If-None-Match", ""):
        return _with_validators(HttpResponseNotModified(), etag, rendered_at, served), key
    return _with_validators(_stored_response(request, body, content_type, encoding), etag, rendered_at, served), key


def _compressed(content: bytes) -> tuple[bytes, str]:
    """The page as the cache keeps it, and its encoding: gzip, as GZipMiddleware would send it (with
    its random filler against BREACH), unless that is no shorter (a short or incompressible page)."""
    if len(content) < 200:
        return content, ""
    compressed = compress_string(content, max_random_bytes=GZipMiddleware.max_random_bytes)
    return (compressed, "gzip") if len(compressed) < len(content) else (content, "")


def _accepts_gzip(request: HttpRequest) -> bool:
    return bool(re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))


def _stored_response(request: HttpRequest, body: bytes, content_type: str, encoding: str) -> HttpResponse:
    """The cached page as this client can take it: the stored gzip bytes, or the page decompressed.
    (With its length: a hit is answered before CommonMiddleware, which would add it.)"""
    if encoding == "gzip" and _accepts_gzip(request):
        return _sending_gzip(HttpResponse(content_type=content_type), body)
    response = HttpResponse(gzip.decompress(body) if encoding else body, content_type=content_type)
    response["Content-Length"] = str(len(response.content))
    return response


def _sending_gzip(response: HttpResponse, compressed: bytes) -> HttpResponse:
    """`response` with the stored gzip bytes as its body."""
    response.content = compressed
    response["Content-Encoding"] = "gzip"  # GZipMiddleware leaves an encoded response as it is
    response["Content-Length"] = str(len(compressed))
    return response


class PageCacheMiddleware:
    """Answers cache hits before sessions, auth and URL routing run: most of a hit's cost otherwise.

    Only pages that `cached_page` stored can hit, so this never serves anything a view did not allow.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _cacheable(request) and not request.path.startswith(("/admin/", "/static/", "/media/")):
            hit, _ = cached_response(request)
            if hit is not None:
                return hit
        return self.get_response(request)


def cached_page(view=None, *, article: str | None = None):
    """Serve the view from the page cache, with ETag/Last-Modified and 304 answers.

    `article`: the name of the view's argument holding the id of the article the page is about; the
    page is then stale as soon as that article changes. Other pages are lists (see the docstring)."""
    if view is None:
        return lambda inner: cached_page(inner, article=article)

    @wraps(view)
    def cached(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        hit, key = cached_response(request)
        if hit is not None:
            return hit
        try:
            rendered_at = time.time()  # before reading anything: a change committed after this makes it stale
            response = view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()  # a TemplateResponse (the sitemap views) renders lazily
            if response.status_code != 200 or response.streaming:
                return response
            etag = f'"{hashlib.blake2b(response.content, digest_size=16).hexdigest()}"'
            own_slot = article_slot(int(kwargs[article])) if article else None
            body, encoding = _compressed(response.content)
            _page_cache().set(key, (body, response["Content-Type"], etag, rendered_at, own_slot, encoding),
                              settings.PAGE_CACHE_SECONDS)
        finally:
            RENDERS.release(key)
        if etag in request.headers.get("If-None-Match", ""):
            return _with_validators(HttpResponseNotModified(), etag, rendered_at, "miss")
        if encoding and _accepts_gzip(request):
            _sending_gzip(response, body)  # compressed once, for the cache
        return _with_validators(response, etag, rendered_at, "miss")

    return cached


def _page_key(request: HttpRequest) -> str:
    # The consent banner and the analytics script differ by consent, so the cookie is part of the key.
    raw = f"{consent_state(request)}|{request.get_host()}|{request.get_full_path()}"
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def _with_validators(response: HttpResponse, etag: str, rendered_at: float, cache: str) -> HttpResponse:
    response["X-Cache"] = cache  # hit, updating or miss: what `make bench-serve` counts (as CDNs report it)
    # Gzip bytes are not the page's bytes: their ETag is weak, as GZipMiddleware makes it (RFC 9110
    # 8.8.1); If-None-Match matches either form.
    response["ETag"] = f"W/{etag}" if response.get("Content-Encoding") else etag
    response["Last-Modified"] = http_date(int(rendered_at))
    response["Cache-Control"] = "no-cache"  # may be stored, but revalidated (cheaply, by ETag) each time
    response["Vary"] = "Cookie, Accept-Encoding"
    return response
