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


@contextmanager
def fresh_redis():
    """Yield the URL of an emptied Redis database (emptied again afterwards)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as error:
        require_service("Redis", f"{REDIS_URL}: {error}")
    client.flushdb()
    try:
        yield REDIS_URL
    finally:
        client.flushdb()
