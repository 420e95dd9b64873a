"""Whose request is it? The one answer used by every per-client limit (comments, API, login lockout).

X-Forwarded-For is whatever the client wrote, plus one address appended by each proxy it passed
through. Only the entries our own proxies appended can be believed: with VISTKA_TRUSTED_PROXIES = n
the client is the n-th address from the right; with 0 (the default) the header is ignored, because
anyone could otherwise send a new made-up address with every request and never be limited.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's IP address as far as the configured proxies vouch for it."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = settings.TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(forwarded) < proxies:
        # Fewer hops than proxies: the request did not come through all of them; the leftmost
        # address is the furthest one a trusted proxy saw, and it is never the client's own claim.
        return _valid(forwarded[0]) if forwarded else remote
    return _valid(forwarded[-proxies]) or remote


def _valid(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value.strip("[]")))
    except ValueError:
        return ""
