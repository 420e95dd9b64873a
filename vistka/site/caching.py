"""Rendered pages, cached until the next change to what they show.

One "site revision" token, kept in a small file beside the data, names the current state of the
published content. Saving an article, translation, story, topic or comment writes a new token
(`vistka.site.signals`), so every cached page and every ETag goes stale at once — in every web
process, and also when the change came from `vistka fetch` running in another process.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.http import http_date

from vistka.site.consent import consent_state


def _revision_file():
    return settings.DATA_DIR / "site-revision"


def current_revision() -> tuple[str, float]:
    """The token and when it was written (for Last-Modified); ('0', 0) before any change.

    A few microseconds per request: the file is tiny and stays in the page cache.
    """
    try:
        with open(_revision_file(), "rb") as handle:
            return handle.read().decode(), os.fstat(handle.fileno()).st_mtime
    except FileNotFoundError:
        return "0", 0.0


def bump_revision() -> None:
    """Write a new token over the old one, in place.

    Every save of shown content calls this (several times per ingested article), and a rename costs
    ~0.3 ms on common filesystems against ~0.01 ms for one small write. Tokens are all 16 bytes, so the
    new one covers the old exactly; a reader racing the write may, at worst, see a mix of the two —
    still not the old token, so its page is simply not served from the cache again.
    """
    descriptor = os.open(_revision_file(), os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        os.pwrite(descriptor, secrets.token_hex(8).encode(), 0)
    finally:
        os.close(descriptor)


def _cacheable(request: HttpRequest) -> bool:
    # Editors logged in to the admin carry a session cookie; they always get a fresh page.
    return request.method in ("GET", "HEAD") and settings.SESSION_COOKIE_NAME not in request.COOKIES


def cached_response(request: HttpRequest) -> tuple[HttpResponse | None, tuple]:
    """A 304 or the cached page when there is one; else None and what `cached_page` needs to store it."""
    revision, changed_at = current_revision()
    key = _page_key(request, revision)
    etag = f'"{key[-32:]}"'
    last_modified = http_date(int(changed_at)) if changed_at else None
    if etag in request.headers.get("If-None-Match", ""):
        return _with_validators(HttpResponseNotModified(), etag, last_modified), (key, etag, last_modified)
    stored = cache.get(key)
    if stored is not None:
        response = HttpResponse(stored[0], content_type=stored[1])
        return _with_validators(response, etag, last_modified), (key, etag, last_modified)
    return None, (key, etag, last_modified)


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


def cached_page(view):
    """Serve the view from the page cache, with ETag/Last-Modified and 304 answers."""

    @wraps(view)
    def cached(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        hit, (key, etag, last_modified) = cached_response(request)
        if hit is not None:
            return hit
        response = view(request, *args, **kwargs)
        if hasattr(response, "render"):
            response.render()  # a TemplateResponse (the sitemap views) renders lazily
        if response.status_code != 200 or response.streaming:
            return response
        cache.set(key, (response.content, response["Content-Type"]), settings.PAGE_CACHE_SECONDS)
        return _with_validators(response, etag, last_modified)

    return cached


def _page_key(request: HttpRequest, revision: str) -> str:
    # The consent banner and the analytics script differ by consent, so the cookie is part of the key.
    raw = f"{revision}|{consent_state(request)}|{request.get_host()}|{request.get_full_path()}"
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def _with_validators(response: HttpResponse, etag: str, last_modified: str | None) -> HttpResponse:
    response["ETag"] = etag
    if last_modified:
        response["Last-Modified"] = last_modified
    response["Cache-Control"] = "no-cache"  # may be stored, but revalidated (cheaply, by ETag) each time
    response["Vary"] = "Cookie, Accept-Encoding"
    return response
