"""Cache writes an outage made impossible, owed to Redis until it answers again.

Most of what is cached may simply be missing: a miss is rebuilt from the database. Two kinds
of write may not just be dropped, because the value they meant to replace would survive the
outage (Redis unreachable is not Redis emptied) and be served once it returns:

- a generation token's replacement (``generations.bump``): the pages built under the old token
  would be served again although their data changed;
- a session's cached copy, written or deleted (``accounts.sessions``): a signed-out session, or
  one whose data changed, would come back.

Such a write, when it fails, records its keys here (a row each, in the database, in the
caller's transaction: the debt commits with the change that made it). Deleting a key is always
safe (the next read is a miss), so every debt is paid the same way: the key is deleted. Each
process pays every debt before it uses Redis again after an outage (``backend``: the first call
after the degraded period), and beat's ``cocreate.cache_upkeep`` pays what a process that died
during the outage left. What is not covered: a process that never noticed the outage (Redis
unreachable from some web processes only) serves from Redis until one that did pays.
"""

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection, transaction

from ..models import OwedCacheDelete

logger = logging.getLogger(__name__)

_TABLE = OwedCacheDelete._meta.db_table
_BATCH = 500


def record(full_keys: Iterable[str]) -> None:
    """Owe the deletion of ``full_keys`` (made keys: prefix and version included). Never raises:
    a debt that cannot be written either is logged (the database is then failing too)."""
    keys = list(dict.fromkeys(full_keys))
    if not keys:
        return
    try:
        with transaction.atomic():
            OwedCacheDelete.objects.bulk_create(
                [OwedCacheDelete(key=key) for key in keys], ignore_conflicts=True
            )
    except Exception:
        logger.exception("could not record %d cache keys to delete after the outage", len(keys))


def _made_keys(cache, keys: Iterable[str]) -> list[str]:
    try:
        return [cache.make_key(key) for key in keys]
    except Exception:  # a backend that cannot even name its keys: nothing to record
        logger.exception("could not name the cache keys to delete after the outage")
        return []


def replace_many(cache, mapping: Mapping[str, Any], timeout: int) -> bool:
    """``cache.set_many(mapping, timeout)``, or, when the cache cannot take it, the keys owed
    for deletion; whether the cache took it."""
    try:
        failed = cache.set_many(dict(mapping), timeout)
    except Exception:
        failed = list(mapping)
    if failed:
        record(_made_keys(cache, failed))
    return not failed


def delete_many(cache, keys: Iterable[str]) -> bool:
    """``cache.delete_many(keys)``, or, when the cache cannot take it, the keys owed for
    deletion; whether the cache took it."""
    keys = list(keys)
    try:
        cache.delete_many(keys)
    except Exception:
        record(_made_keys(cache, keys))
        return False
    return True


def repay(delete_full_keys) -> int:
    """Delete every owed key through ``delete_full_keys(keys)`` (the raw Redis delete, made
    keys) and forget the debts, in one transaction: if Redis fails meanwhile, the debts stay.
    How many keys were deleted."""
    paid = 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            table, key = connection.ops.quote_name(_TABLE), connection.ops.quote_name("key")
            cursor.execute(f"DELETE FROM {table} RETURNING {key}")  # noqa: S608
            keys = [row[0] for row in cursor.fetchall()]
        for start in range(0, len(keys), _BATCH):
            delete_full_keys(keys[start : start + _BATCH])
            paid += len(keys[start : start + _BATCH])
    if paid:
        logger.warning("cache: deleted %d keys owed since an outage", paid)
    return paid


def repay_through(cache) -> int:
    """Pay every owed key through ``cache`` (a Redis backend of ours) if it answers now; how
    many were paid. For beat's upkeep: debts a process left when it died during an outage."""
    pay = getattr(cache, "repay_owed", None)  # through django.core.cache's proxy too
    return pay() if pay is not None else 0
