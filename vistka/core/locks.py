"""Cross-process locks for shared state that several workers update (e.g. story assignment)."""

from __future__ import annotations

import zlib

from django.db import connection


def serialise(name: str) -> None:
    """Hold a lock called `name` until the current transaction ends.

    PostgreSQL: a transaction-level advisory lock, shared by every worker on every machine.
    SQLite: nothing to do — vistka opens SQLite transactions IMMEDIATE, which already admits one
    writer at a time.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("serialise() must be called inside transaction.atomic()")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(name.encode())])
