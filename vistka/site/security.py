"""Security headers: a strict Content-Security-Policy on every response.

Pages load scripts, styles, images and fonts only from this site, so nothing reaches a third party.
The one exception is the operator's analytics script (VISTKA_ANALYTICS_SCRIPT), whose origin is
allowed only on responses to readers who clicked Accept.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from vistka.site.consent import consent_state

BASE_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# Django's admin sets a few inline styles; editors are trusted, readers never see it.
ADMIN_RELAXED = {"style-src": "'self' 'unsafe-inline'"}


def analytics_origin() -> str:
    parts = urlsplit(settings.ANALYTICS_SCRIPT)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""


def content_security_policy(request: HttpRequest) -> str:
    policy = dict(BASE_POLICY)
    if request.path.startswith("/admin/"):
        policy.update(ADMIN_RELAXED)
    origin = analytics_origin()
    if origin and consent_state(request) == "accepted":
        for directive in ("script-src", "connect-src", "img-src"):
            policy[directive] += f" {origin}"
    return "; ".join(f"{name} {value}" for name, value in policy.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", content_security_policy(request))
        response.headers.setdefault("Permissions-Policy", "interest-cohort=(), browsing-topics=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        # Cache hits skip the inner middleware that would add these.
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response
