"""Opt-in consent: until the reader answers, the site sets no cookie at all.

The choice itself is the one cookie we set, and only when the reader clicks Accept or Reject.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

CONSENT_COOKIE = "vistka_consent"
CONSENT_MAX_AGE = 180 * 24 * 3600
CHOICES = {"accept": "accepted", "reject": "rejected"}


def consent_state(request: HttpRequest) -> str:
    """'accepted', 'rejected' or '' (not asked yet: show the banner)."""
    value = request.COOKIES.get(CONSENT_COOKIE, "")
    return value if value in CHOICES.values() else ""


def same_origin_required(view):
    """CSRF defence for forms that must work before any cookie exists (OWASP: verify Origin/Referer).

    Django's token needs a cookie, which a reader who has not consented does not have; browsers send
    Origin (or at least Referer) on form posts, and a cross-site page cannot forge either.
    """

    @wraps(view)
    def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.headers.get("Sec-Fetch-Site", "same-origin") not in {"same-origin", "none"}:
            return HttpResponseForbidden("Cross-site form posts are refused.")
        claimed = request.headers.get("Origin") or request.headers.get("Referer") or ""
        if urlsplit(claimed).netloc != request.get_host():
            return HttpResponseForbidden("This form must be sent from this site.")
        return view(request, *args, **kwargs)

    return csrf_exempt(checked)


@require_POST
@same_origin_required
def record_choice(request: HttpRequest) -> HttpResponse:
    choice = CHOICES.get(request.POST.get("choice", ""))
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    if choice:
        response.set_cookie(CONSENT_COOKIE, choice, max_age=CONSENT_MAX_AGE, samesite="Lax",
                            secure=request.is_secure(), httponly=True)
    return response
