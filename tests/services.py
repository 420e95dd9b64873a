"""Real PostgreSQL and Redis for the scale-out tests: fresh databases made and dropped per test."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

from tests.conftest import require_service

POSTGRES_ADMIN_URL = os.environ.get("VISTKA_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("VISTKA_TEST_REDIS", "redis://127.0.0.1:6379/11")


def _admin_connection():
    import psycopg

    try:
        return psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        require_service("PostgreSQL", f"{POSTGRES_ADMIN_URL}: {error}")


@contextmanager
def fresh_postgres_database():
    """Yield the URL of a new, empty database; drop it afterwards."""
    name = f"vistka_it_{uuid.uuid4().hex[:10]}"
    with _admin_connection() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with _admin_connection() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


REDIS_TEST_DATABASES = (12, 14, 15, 11)  # 0 is the default for real use, 13 bench-scale's
CLAIM_KEY = "vistka:test-claim"


@contextmanager
def fresh_redis():
    """Yield the URL of an emptied Redis database that no other test run on this machine is using
    (test runs started side by side would otherwise take each other's tasks), emptied again afterwards."""
    import redis

    base = REDIS_URL.rsplit("/", 1)[0]
    probe = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        probe.ping()
    except redis.RedisError as error:
        require_service("Redis", f"{REDIS_URL}: {error}")
    for number in REDIS_TEST_DATABASES:
        client = redis.Redis.from_url(f"{base}/{number}", socket_connect_timeout=3)
        if client.set(CLAIM_KEY, os.getpid(), nx=True, ex=3600):
            break
    else:
        raise RuntimeError(f"every Redis test database {REDIS_TEST_DATABASES} is claimed ({CLAIM_KEY})")
    client.flushdb()
    client.set(CLAIM_KEY, os.getpid(), ex=3600)
    try:
        yield f"{base}/{number}"
    finally:
        client.flushdb()
