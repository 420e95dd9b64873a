"""The API answers in JSON even when no endpoint does: an unknown /api/ path is a JSON 404 and a wrong
method a JSON 405 (with Allow), never the site's HTML error page or django-ninja's plain-text body."""

from __future__ import annotations

from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

DOCS = "/api/"


@csrf_exempt  # a program's POST to a wrong path gets this answer, not the CSRF failure page
def not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    """Every /api/ path no endpoint matched."""
    return JsonResponse({"detail": f"Not found: no API endpoint {request.path}; the endpoints are listed at {DOCS}"},
                        status=404)


def json_method_errors(urls: tuple) -> tuple:
    """`api.urls` with each endpoint's 405 answer turned into JSON."""
    patterns, app_name, namespace = urls
    for pattern in patterns:
        pattern.callback = _json_405(pattern.callback)
    return patterns, app_name, namespace


def _json_405(view):
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code != 405 or response.get("Content-Type", "").startswith("application/json"):
            return response
        allowed = response.get("Allow", "")
        answer = JsonResponse({"detail": f"Method {request.method} not allowed here; allowed: {allowed}"}, status=405)
        answer["Allow"] = allowed
        return answer
    return csrf_exempt(wrapped)
