"""Rate-limit window counters in the database: what every limit counts with while Redis cannot
be reached, so that an outage costs speed, never protection against password guessing.

One statement per hit, atomic on PostgreSQL and on SQLite (3.35+)::

    INSERT ... ON CONFLICT (key) DO UPDATE SET count = count + 1 ... RETURNING count

A window begins at its first hit and lasts ``period`` seconds; a hit after it ended starts a
new one (the same statement). Counters whose window has ended are deleted by
``purge_expired`` (beat's ``cocreate.cache_upkeep``). The counter runs on the request's own
connection: inside a transaction that rolls back, its hit rolls back too (a refused write
undoes the hit of the attempt it refused, never an earlier one).
"""

import hashlib
import time

from django.db import connection
from django.db.models import F

from .models import RateCounter

_TABLE = RateCounter._meta.db_table
_MAX_KEY = 200


def _key(key: str) -> str:
    # Keys name scopes and subjects (addresses, hashed emails): long ones are hashed to fit.
    if len(key) <= _MAX_KEY:
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def hit(key: str, period: float, *, now: float | None = None) -> int:
    """Count one hit in the window at ``key`` (``period`` seconds long, begun by its first
    hit) and answer the hits in it so far, this one included."""
    now = time.time() if now is None else now
    table, key_, count, expires = (
        connection.ops.quote_name(name) for name in (_TABLE, "key", "count", "expires_at")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_}, {count}, {expires}) VALUES (%s, 1, %s) "  # noqa: S608
            f"ON CONFLICT ({key_}) DO UPDATE SET "
            f"{count} = CASE WHEN {table}.{expires} <= %s THEN 1 ELSE {table}.{count} + 1 END, "
            f"{expires} = CASE WHEN {table}.{expires} <= %s "
            f"THEN excluded.{expires} ELSE {table}.{expires} END "
            f"RETURNING {count}",
            [_key(key), now + period, now, now],
        )
        return int(cursor.fetchone()[0])


def peek(key: str, *, now: float | None = None) -> int:
    """The hits in the window at ``key`` (0 when it has ended or never began)."""
    now = time.time() if now is None else now
    row = RateCounter.objects.filter(key=_key(key), expires_at__gt=now).values("count").first()
    return row["count"] if row else 0


def unhit(key: str) -> None:
    """Take back one hit (an attempt that turned out not to count, e.g. a right password)."""
    RateCounter.objects.filter(key=_key(key), count__gt=0).update(count=F("count") - 1)


def forget(*keys: str) -> None:
    """Delete the windows at ``keys`` (e.g. failed sign-ins after a password reset)."""
    RateCounter.objects.filter(key__in=[_key(key) for key in keys]).delete()


def purge_expired(*, now: float | None = None) -> int:
    """Delete every counter whose window has ended; how many there were."""
    now = time.time() if now is None else now
    deleted, _ = RateCounter.objects.filter(expires_at__lte=now).delete()
    return deleted
