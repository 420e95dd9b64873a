"""What one fetch may do: timeouts, size limits, redirects, the User-Agent and the per-host limiter."""

from __future__ import annotations

from dataclasses import dataclass, field

from vistka import __version__
from vistka.pipeline.fetch.limiter import HostLimiter, shared_limiter


@dataclass
class FetchPolicy:
    timeout: float = 20.0  # total seconds for one fetch, redirects and body included
    connect_timeout: float = 10.0
    read_timeout: float = 15.0  # longest silence between two reads
    max_body_bytes: int = 10_000_000  # after decompression
    max_redirects: int = 5
    max_compression_ratio: int = 100  # decoded/transferred; beyond this a body is a decompression bomb
    allow_hosts: list[str] = field(default_factory=list)
    contact: str = ""
    obey_robots: bool = True
    limiter: HostLimiter | None = None  # None: no per-host limits (direct calls and tests)

    @property
    def user_agent(self) -> str:
        contact = f"; +{self.contact}" if self.contact else ""
        return f"vistka/{__version__} (news aggregator{contact})"

    @classmethod
    def from_settings(cls) -> FetchPolicy:
        from django.conf import settings

        return cls(
            timeout=settings.FETCH_TIMEOUT,
            connect_timeout=min(settings.FETCH_CONNECT_TIMEOUT, settings.FETCH_TIMEOUT),
            read_timeout=min(settings.FETCH_READ_TIMEOUT, settings.FETCH_TIMEOUT),
            max_body_bytes=settings.MAX_BODY_BYTES,
            max_redirects=settings.FETCH_MAX_REDIRECTS,
            allow_hosts=list(settings.FETCH_ALLOW_HOSTS),
            contact=settings.USER_AGENT_CONTACT,
            obey_robots=settings.FETCH_OBEY_ROBOTS,
            limiter=_limiter_for(settings),
        )


def _limiter_for(settings) -> HostLimiter:
    """With a Redis broker, politeness is shared by all workers through Redis; in-process otherwise."""
    if settings.BROKER_URL.startswith(("redis://", "rediss://")):
        from vistka.workers.limiter import shared_redis_limiter

        return shared_redis_limiter(settings.BROKER_URL, settings.FETCH_HOST_CONCURRENCY, settings.FETCH_HOST_DELAY)
    return shared_limiter(settings.FETCH_HOST_CONCURRENCY, settings.FETCH_HOST_DELAY)
