"""allauth's rate limits (``ACCOUNT_RATE_LIMITS``: sign-in, failed sign-ins per address and per
account, sign-up, password reset, ...) kept while Redis is unreachable.

allauth keeps each limit as a list of timestamps in the cache, behind a lock made with
``cache.add``. With Redis unreachable that lock cannot be taken (``CacheUnavailable``), so
every rate-limited form would fail. Here, while the cache backend is degraded
(``cocreate.caching.backend.available``) or as soon as a call of allauth's raises
``CacheUnavailable``, the same limit is counted in the database instead
(``cocreate.ratecounters``): the same amount per the same duration, per the same subject (the
same key as allauth's), as a window begun by its first hit. A right password takes its failed
attempt back there too (allauth's rollback). So a Redis outage never lifts the limit on
password guessing: the account is still refused after ``5/5m/key`` wrong passwords, whichever
door they were tried at.

Counts made in Redis before an outage are not carried into the database (nor back): across an
outage an attacker gets at most one allowance more. Installed by ``AccountsConfig.ready``;
allauth has no hook for its limiter, so the three functions are replaced in its module (the
test suite fails if allauth renames them).
"""

from contextlib import suppress
from dataclasses import dataclass

from allauth.core.exceptions import RateLimited
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.core.cache import cache

from cocreate import ratecounters
from cocreate.caching.backend import CacheUnavailable, available

_consume_in_cache = allauth_ratelimit._consume_single_rate
_clear_in_cache = allauth_ratelimit.clear
_rollback_in_cache = allauth_ratelimit.SingleRateLimitUsage.rollback


def counter_key(request, *, app, action, rate, key=None, user=None) -> str:
    """The database counter of one of allauth's limits for this subject."""
    return "allauth:" + allauth_ratelimit.get_cache_key(
        request, app=app, action=action, rate=rate, key=key, user=user
    )


@dataclass
class CountedUsage:
    """One hit counted in the database; ``rollback`` takes it back."""

    key: str | None  # None for a dry run: nothing was counted

    def rollback(self) -> None:
        if self.key is not None:
            ratecounters.unhit(self.key)


def consume_single_rate(
    request,
    *,
    app,
    action,
    rate,
    key=None,
    user=None,
    dry_run: bool = False,
    raise_exception: bool = False,
):
    """allauth's ``_consume_single_rate``: in the cache while it answers, else the database."""
    if available(cache):
        try:
            return _consume_in_cache(
                request,
                app=app,
                action=action,
                rate=rate,
                key=key,
                user=user,
                dry_run=dry_run,
                raise_exception=raise_exception,
            )
        except CacheUnavailable:
            pass  # Redis went away during the call: count this hit in the database
    counter = counter_key(request, app=app, action=action, rate=rate, key=key, user=user)
    if dry_run:
        allowed = ratecounters.peek(counter) < rate.amount
    else:
        allowed = ratecounters.hit(counter, rate.duration) <= rate.amount
    if allowed:
        return CountedUsage(None if dry_run else counter)
    if raise_exception:
        raise RateLimited
    return None


def clear(request, *, app, action, config=None, key=None, user=None) -> None:
    """allauth's ``clear`` (after a password reset): the database counters, and the cache's
    while it answers (if it does not, its history stays: stricter, never looser)."""
    rates = allauth_ratelimit.get_rates(app=app, action=action, config=config)
    ratecounters.forget(
        *(counter_key(request, app=app, action=action, rate=r, key=key, user=user) for r in rates)
    )
    if available(cache):
        with suppress(CacheUnavailable):
            _clear_in_cache(request, app=app, action=action, config=config, key=key, user=user)


def rollback_in_cache(usage) -> None:
    """allauth's rollback of a hit counted in the cache; if the cache went away since, the hit
    stays counted (stricter, never looser)."""
    with suppress(CacheUnavailable):
        _rollback_in_cache(usage)


def install() -> None:
    """Route allauth's limiter through the functions above (idempotent)."""
    allauth_ratelimit._consume_single_rate = consume_single_rate
    allauth_ratelimit.clear = clear
    allauth_ratelimit.SingleRateLimitUsage.rollback = rollback_in_cache
