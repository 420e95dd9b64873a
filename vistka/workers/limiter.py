"""Per-host politeness shared by every worker on every machine, kept in Redis.

The same interface as the in-process limiter (vistka/pipeline/fetch/limiter.py): request starts to a
host at least `min_delay` apart (or the host's robots.txt Crawl-delay), at most `max_concurrent`
requests open, and none while the host's Retry-After runs. The decisions are taken inside Redis (Lua
scripts on Redis' own clock), so workers on machines with skewed clocks still agree.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import redis

from vistka.pipeline.fetch.errors import FetchError
from vistka.pipeline.fetch.limiter import MAX_CRAWL_DELAY

# KEYS: next-start key, per-host delay key. ARGV: default delay ms. Returns ms to wait before starting.
_RESERVE_START = """
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local next_allowed = tonumber(redis.call('GET', KEYS[1]) or '0')
local start = math.max(now, next_allowed)
local delay = math.max(tonumber(ARGV[1]), tonumber(redis.call('GET', KEYS[2]) or '0'))
redis.call('SET', KEYS[1], start + delay, 'PX', (start - now) + delay + 60000)
return start - now
"""

# Takes a slot when fewer than ARGV[2] are held (expired holders dropped first); 1 when taken.
_TAKE_SLOT = """
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[3]))
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
  return 1
end
return 0
"""


class RedisHostLimiter:
    def __init__(self, url: str, max_concurrent: int = 2, min_delay: float = 1.0, lease_seconds: float = 120.0,
                 prefix: str = "vistka:host"):
        self.client = redis.Redis.from_url(url)
        self.max_concurrent = max(1, max_concurrent)
        self.min_delay_ms = int(max(0.0, min_delay) * 1000)
        self.lease_ms = int(lease_seconds * 1000)  # a slot held by a killed worker frees itself after this
        self.prefix = prefix
        self._reserve = self.client.register_script(_RESERVE_START)
        self._take = self.client.register_script(_TAKE_SLOT)

    def _key(self, host: str, what: str) -> str:
        return f"{self.prefix}:{host}:{what}"

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        """Wait for the host's turn and hold one of its connection slots for the request."""
        wait = self.deferred_for(host)
        if wait > 0:
            raise FetchError(f"{host} asked us to wait (Retry-After); next request allowed in {wait:.0f} s",
                             retry_after=wait)
        token = uuid.uuid4().hex
        slots = self._key(host, "slots")
        while not self._take(keys=[slots], args=[token, self.max_concurrent, self.lease_ms]):
            time.sleep(0.05)
        try:
            wait_ms = self._reserve(keys=[self._key(host, "next"), self._key(host, "delay")],
                                    args=[self.min_delay_ms])
            if wait_ms > 0:
                time.sleep(wait_ms / 1000)
            yield
        finally:
            self.client.zrem(slots, token)

    def defer(self, host: str, seconds: float) -> None:
        from vistka.pipeline.fetch.limiter import MAX_DEFER

        seconds = min(seconds, MAX_DEFER)  # Redis refuses an expiry past 2^63 ms; no host gets years anyway
        if seconds > 0:
            # NX/GT semantics by hand: keep the later of the two deadlines.
            current = self.deferred_for(host)
            if seconds > current:
                self.client.set(self._key(host, "deferred"), "1", px=int(seconds * 1000))

    def deferred_for(self, host: str) -> float:
        remaining = self.client.pttl(self._key(host, "deferred"))
        return max(0.0, remaining / 1000) if remaining and remaining > 0 else 0.0

    def ask_delay(self, host: str, seconds: float) -> None:
        delay_ms = int(min(max(0.0, seconds), MAX_CRAWL_DELAY) * 1000)
        self.client.set(self._key(host, "delay"), delay_ms, ex=24 * 3600)


_shared: dict[tuple, RedisHostLimiter] = {}


def shared_redis_limiter(url: str, max_concurrent: int, min_delay: float) -> RedisHostLimiter:
    key = (url, max_concurrent, min_delay)
    if key not in _shared:
        _shared[key] = RedisHostLimiter(url, max_concurrent, min_delay)
    return _shared[key]
