"""The API object mounted at /api/: Swagger UI at /api/, the OpenAPI document at /api/openapi.json."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches
from ninja import NinjaAPI
from ninja.throttling import AnonRateThrottle, AuthRateThrottle

from vistka.api.views import router
from vistka.site.clientip import client_address


class _SettingRate:
    """Reads VISTKA_API_RATE at each request, so the limit follows the settings (and tests can lower it).

    Counts live in the cache every web process shares, and the client is the address our own proxies
    vouch for (django-ninja would otherwise believe any X-Forwarded-For header)."""

    def get_ident(self, request) -> str:
        return client_address(request)

    def allow_request(self, request) -> bool:
        self.cache = caches[settings.RATE_LIMIT_CACHE]
        self.rate = settings.API_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)


class AnonymousRate(_SettingRate, AnonRateThrottle):
    pass


class TokenRate(_SettingRate, AuthRateThrottle):
    pass


api = NinjaAPI(
    title="vistka API",
    version="1",
    description="Read the published news (articles, stories, sources, search) and, with a token, manage "
                "sources and article statuses. Article text obeys each source's licence mode.",
    docs_url="/",
    throttle=[AnonymousRate(settings.API_RATE), TokenRate(settings.API_RATE)],
    urls_namespace="api",
)
api.add_router("/", router)
