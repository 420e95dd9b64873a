"""Per-host politeness shared by every worker on every machine, kept in Redis.

Two rules per host: request starts are at least `min_delay` seconds apart, and at most
`max_concurrent` requests are open at once. Both are decided inside Redis (Lua scripts using
Redis' own clock), so workers on machines with skewed clocks still agree.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import redis

# Returns how many milliseconds the caller must wait before starting its request.
_RESERVE_START = """
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local next_allowed = tonumber(redis.call('GET', KEYS[1]) or '0')
local start = math.max(now, next_allowed)
local delay = tonumber(ARGV[1])
redis.call('SET', KEYS[1], start + delay, 'PX', (start - now) + delay + 60000)
return start - now
"""

# Takes a slot when fewer than ARGV[2] are held (expired holders are dropped first); 1 if taken.
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
    def __init__(self, url: str, min_delay: float, max_concurrent: int, lease_seconds: float = 120.0,
                 prefix: str = "vistka:host"):
        self.client = redis.Redis.from_url(url)
        self.min_delay_ms = int(min_delay * 1000)
        self.max_concurrent = max_concurrent
        self.lease_ms = int(lease_seconds * 1000)  # a slot held by a killed worker frees itself after this
        self.prefix = prefix
        self._reserve = self.client.register_script(_RESERVE_START)
        self._take = self.client.register_script(_TAKE_SLOT)

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        """Wait for the host's turn, hold one of its connection slots for the request."""
        token = uuid.uuid4().hex
        slots_key = f"{self.prefix}:{host}:slots"
        while not self._take(keys=[slots_key], args=[token, self.max_concurrent, self.lease_ms]):
            time.sleep(0.05)
        try:
            wait_ms = self._reserve(keys=[f"{self.prefix}:{host}:next"], args=[self.min_delay_ms])
            if wait_ms > 0:
                time.sleep(wait_ms / 1000)
            yield
        finally:
            self.client.zrem(slots_key, token)
