"""Deleting cached copies that hold given words (account erasure).

A change bumps the scopes it touches, so no stale copy is ever *served*; but the copies stay in
the cache until they expire. Erasing a person must not leave their email address or name in a
cached page or fragment for minutes or hours: ``forget_containing`` scans this site's keys (its
``KEY_PREFIX`` only) and deletes every value that holds one of the words. Rare and thorough, not
fast: it reads every value once.
"""

import logging
from collections.abc import Iterable

from django.core.cache import cache

from .backend import UNREACHABLE, CacheUnavailable

logger = logging.getLogger(__name__)
BATCH = 500


def _needles(words: Iterable[str]) -> list[bytes]:
    found: set[bytes] = set()
    for word in words:
        if word:
            for form in (word, word.lower(), word.upper(), word.title()):
                found.add(form.encode())
    return sorted(found)


def _redis_client():
    inner = getattr(cache, "_cache", None)
    get_client = getattr(inner, "get_client", None)
    return get_client(write=True) if get_client is not None else None


def forget_containing(words: Iterable[str]) -> int:
    """Delete every cached value (of this site's key prefix) that contains one of ``words``
    (as written, lower-, upper- or title-cased); returns the number deleted. A cache that
    cannot be reached is skipped (nothing is served from it either) and logged."""
    needles = _needles(words)
    if not needles:
        return 0
    client = _redis_client()
    try:
        if client is not None:
            return _forget_in_redis(client, needles)
        return _forget_in_memory(needles)
    except (CacheUnavailable, *UNREACHABLE) as error:
        logger.warning("cache: could not scan for erased values (%s)", error)
        return 0


def _forget_in_redis(client, needles: list[bytes]) -> int:
    prefix = cache.make_key("").rsplit(":", 2)[0]  # "<KEY_PREFIX>:<version>:" → KEY_PREFIX
    deleted = 0
    batch: list[bytes] = []

    def flush() -> int:
        values = client.mget(batch)
        doomed = [
            key
            for key, value in zip(batch, values, strict=True)
            if value is not None and (any(n in value for n in needles) or _in_key(key, needles))
        ]
        if doomed:
            client.delete(*doomed)
        batch.clear()
        return len(doomed)

    for key in client.scan_iter(match=f"{prefix}:*", count=BATCH):
        batch.append(key)
        if len(batch) >= BATCH:
            deleted += flush()
    if batch:
        deleted += flush()
    return deleted


def _in_key(key: bytes, needles: list[bytes]) -> bool:
    return any(n in key for n in needles)


def _forget_in_memory(needles: list[bytes]) -> int:
    store = getattr(cache, "_cache", None)
    if not isinstance(store, dict):
        return 0
    doomed = [
        key
        for key, value in list(store.items())
        if isinstance(value, bytes) and any(n in value for n in needles)
    ]
    for key in doomed:
        store.pop(key, None)
    return len(doomed)
