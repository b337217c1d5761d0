"""Generation tokens: when a cached value may still be served, without guessing at staleness.
``cached`` is the one read-through-cache built on them (pages, users, API tokens); the scope
names below are the only ones there are.

A *scope* names a set of data ("directory", "community:12", "user:7"). Its token is a random
string in the shared cache; every change to the data replaces it (``bump``). A cached value
records the tokens it was built under and is served only while they are all still current.

Why this is safe:
- Readers take the tokens *before* reading the database; writers replace them right away and
  again *after* their transaction commits. A value built from data that changed meanwhile
  therefore carries a token that is already old, and is never served.
- Tokens are random, never counters: a token lost to a cache restart or eviction is created
  anew and can never make an old value match again.
- If the cache cannot be reached, ``tokens`` answers ``None`` and callers build afresh.
- A bump that fails because the cache is unreachable (its old token would survive the outage,
  and with it every value built under it) is owed: the token's key is recorded in the database
  in the same transaction, and deleted from Redis before any process uses Redis again
  (``owed``). A deleted token is created anew, so what was built under the old one is never
  served again. Values are still cached for minutes, not hours (see callers).
"""

import logging
import secrets
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.db import transaction

from . import owed
from .backend import CacheUnavailable

logger = logging.getLogger(__name__)

# Longer than any value built under a token lives, so a token outlives what it guards.
TOKEN_TIMEOUT = 60 * 60 * 24 * 7
_PREFIX = "gen:v1:"


def directory() -> str:
    """Everything the community directory and the communities API list show to anyone."""
    return "directory"


def firms() -> str:
    """Which firms run which communities, and which of those are public: what the directory's
    firm filter offers (not member counts or names of communities)."""
    return "firms"


def community(community_id: int) -> str:
    """Anything in the community: every change to it bumps this (feeds, home, counts)."""
    return f"community:{community_id}"


def community_setup(community_id: int) -> str:
    """What every page of a community shows, apart from its contributions' own activity: its
    name and settings, its people and their roles and standing, challenges, toolkits, and
    moderation. A contribution's page depends on this and on ``contribution`` only, so activity
    on other contributions (a support, a comment) leaves it cached."""
    return f"community-setup:{community_id}"


def community_wide(community_id: int) -> tuple[str, str]:
    """A change every page of the community may show: both of its scopes."""
    return community(community_id), community_setup(community_id)


def contribution(contribution_id: int) -> str:
    """One contribution's own page: its text, status history, comments, supports, scores."""
    return f"contribution:{contribution_id}"


def user(user_id: int) -> str:
    """What is particular to one viewer: profile, memberships, staff roles, drafts, bell."""
    return f"user:{user_id}"


def api_token(digest: str) -> str:
    """One API token and its user, by the token's SHA-256 (the key itself is never stored)."""
    return f"apitoken:{digest}"


def token_key(scope: str) -> str:
    """The cache key holding ``scope``'s token."""
    return f"{_PREFIX}{scope}"


def tokens(scopes: Iterable[str]) -> dict[str, str] | None:
    """The current token of each scope (created when missing), or ``None`` when the cache
    cannot be reached (then nothing may be served from it or stored in it)."""
    keys = {token_key(scope): scope for scope in dict.fromkeys(scopes)}
    try:
        found = cache.get_many(list(keys))
        missing = [key for key in keys if key not in found]
        if missing:
            for key in missing:
                # ``add`` only sets an absent key: racing creators end up with one token.
                cache.add(key, secrets.token_hex(8), TOKEN_TIMEOUT)
            found.update(cache.get_many(missing))
    except CacheUnavailable:  # the backend has said so once: build afresh, quietly
        return None
    except Exception:
        logger.warning("generation tokens unavailable", exc_info=True)
        return None
    if len(found) != len(keys):  # evicted between add and get: treat as unavailable
        return None
    return {keys[key]: value for key, value in found.items()}


def _replace(scopes: tuple[str, ...]) -> None:
    # Replaced, or (the cache unreachable) owed: deleted before Redis is used again.
    owed.replace_many(
        cache, {token_key(scope): secrets.token_hex(8) for scope in scopes}, TOKEN_TIMEOUT
    )


def bump(*scopes: str) -> None:
    """Mark the data of ``scopes`` as changed: values cached under their current tokens are no
    longer served. Replaces the tokens now (so later reads in this transaction, and tests, see
    the change) and again once the surrounding transaction commits (so a reader that took the
    new token before the commit cannot keep what it built from the old rows)."""
    scopes = tuple(dict.fromkeys(s for s in scopes if s))
    if not scopes:
        return
    _replace(scopes)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _replace(scopes))


def cached(
    key: str,
    scopes: Iterable[str] | Callable[[], Iterable[str]],
    build: Callable[[], tuple[Any, bool]],
    *,
    timeout: int,
) -> Any:
    """The value at ``key`` if the tokens it was built under are all current, else
    ``build()`` — which answers ``(value, storable)`` — stored under the tokens of the scopes,
    taken before building so a change made meanwhile makes the copy stale.

    ``scopes`` is a list when known without asking the database (then the value and the
    tokens come in one round trip), or a function called only when building."""
    known = None if callable(scopes) else list(scopes)
    entry, current = _lookup(key, known)
    if entry is not None:
        held, value = entry
        if current is None or set(current) != set(held):
            current = tokens(held)
        if current == held:
            return value
    current = tokens(known if known is not None else scopes() if callable(scopes) else scopes)
    value, storable = build()
    if storable and current is not None:
        try:
            cache.set(key, (current, value), timeout)
        except CacheUnavailable:
            pass  # a copy not kept: the next request builds it again
        except Exception:
            logger.warning("cache unavailable", exc_info=True)
    return value


def _lookup(key: str, scopes: list[str] | None) -> tuple[Any, dict[str, str] | None]:
    """The cached entry at ``key`` and, for known scopes, their current tokens (one trip)."""
    try:
        if scopes is None:
            return cache.get(key), None
        token_keys = {token_key(scope): scope for scope in scopes}
        found = cache.get_many([key, *token_keys])
    except Exception:
        logger.warning("cache unavailable", exc_info=True)
        return None, None
    tokens = {scope: found[k] for k, scope in token_keys.items() if k in found}
    return found.get(key), tokens if len(tokens) == len(token_keys) else None
