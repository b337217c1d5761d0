"""Django's Redis cache backend, keeping one redis client per connection pool, degrading
explicitly when Redis cannot be reached; and ``count``, an atomic window counter in one
command that falls back to the database.

Reuse: Django's ``RedisCacheClient`` builds a new ``redis.Redis`` for every cache call, and
building one fills a table of about a thousand response callbacks: measured here, that was half
of a cached API response's time (1.2 ms of 2.6 ms, six calls a request). The client holds no
state of its own but that table and the pool, so one per pool serves every call (Django already
gives each thread its own cache object).

Outage: this is the one place that knows Redis can be unreachable. A connection error or a
timeout (connect ``socket_connect_timeout``, 0.25 s; reply ``socket_timeout``, 0.5 s by default)
marks this Redis *degraded* in the process for ``DEGRADED_SECONDS`` (2 s): during that time no
call tries to connect, so an outage costs each process one short wait every two seconds, not
one per call. While degraded:

- reads (``get``, ``get_many``, ``has_key``) answer a miss: every cache here is a copy of the
  database, so a miss is rebuilt from it, never wrong;
- writes (``set``, ``add``, ``delete``, ``incr``, ``clear``, ...) raise ``CacheUnavailable``:
  a caller that must not lose a write (generation tokens, sessions) owes it (``owed``), the
  others catch it and go on;
- ``count`` (every rate limit and API throttle) counts in the database instead
  (``cocreate.ratecounters``), so limits still hold.

The first call after the degraded period first deletes every key owed since the outage
(``owed.repay``), then uses Redis again; if Redis still fails, the process stays degraded for
another period.
"""

import logging
import threading
import time
from functools import cached_property

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# What "Redis cannot be reached" looks like to redis-py (refused, reset, timed out, loading).
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
DEFAULT_OPTIONS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}
DEGRADED_SECONDS = 2.0


class CacheUnavailable(Exception):
    """The cache could not take a write: Redis is unreachable (or was, moments ago)."""


class _ReusingClient(RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class _Health:
    """Whether one Redis (by location) is degraded, shared by every thread of the process."""

    def __init__(self, location: str) -> None:
        self.location = location
        self.down_until = 0.0  # monotonic; 0: healthy
        self.down_since = 0.0
        self.probing = threading.Lock()

    def went_down(self, seconds: float, error: BaseException | None) -> None:
        now = time.monotonic()
        if not self.down_until:
            self.down_since = now
            logger.warning(
                "cache degraded: Redis at %s unreachable (%s); serving from the database",
                self.location,
                error,
            )
        self.down_until = now + seconds

    def came_back(self) -> None:
        logger.warning(
            "cache back: Redis at %s answers again after %.1f s",
            self.location,
            time.monotonic() - self.down_since,
        )
        self.down_until = 0.0


_health: dict[str, _Health] = {}
_health_lock = threading.Lock()


def _health_of(location: str) -> _Health:
    found = _health.get(location)
    if found is None:
        with _health_lock:
            found = _health.setdefault(location, _Health(location))
    return found


_MISS = object()
_RAISE = object()

_COUNT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
"""


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params) -> None:
        options = {**DEFAULT_OPTIONS, **params.get("OPTIONS", {})}
        self.degraded_seconds = float(options.pop("DEGRADED_SECONDS", DEGRADED_SECONDS))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = _ReusingClient
        self._health = _health_of(server if isinstance(server, str) else ",".join(server))

    # --- degraded or not ----------------------------------------------------------------

    def available(self) -> bool:
        """Whether calls go to Redis now (False while degraded). After the degraded period
        this pays the outage's debts first (one thread at a time; the others stay degraded
        meanwhile)."""
        health = self._health
        if not health.down_until:
            return True
        if time.monotonic() < health.down_until or not health.probing.acquire(blocking=False):
            return False
        try:
            if not health.down_until:
                return True
            try:
                from .owed import repay  # noqa: PLC0415 — the models load after the cache

                self._cache.get_client(write=True).ping()  # answers at all (nothing may be owed)
                repay(self._delete_made_keys)
            except UNREACHABLE as error:
                health.went_down(self.degraded_seconds, error)
                return False
            except Exception:
                # The database failing too: stay degraded, try again after the period.
                logger.exception("cache: could not pay the keys owed since the outage")
                health.went_down(self.degraded_seconds, None)
                return False
            health.came_back()
            return True
        finally:
            health.probing.release()

    def repay_owed(self) -> int:
        """Delete every key owed since an outage, if Redis answers now (0 otherwise)."""
        if not self.available():
            return 0
        from .owed import repay  # noqa: PLC0415 — the models load after the cache

        try:
            return repay(self._delete_made_keys)
        except UNREACHABLE as error:
            self._health.went_down(self.degraded_seconds, error)
            return 0

    def _delete_made_keys(self, keys: list[str]) -> None:
        self._cache.get_client(write=True).delete(*keys)

    def _call(self, call, miss):
        if not self.available():
            if miss is _RAISE:
                raise CacheUnavailable(self._health.location)
            return miss
        try:
            return call()
        except UNREACHABLE as error:
            self._health.went_down(self.degraded_seconds, error)
            if miss is _RAISE:
                raise CacheUnavailable(self._health.location) from error
            return miss

    # --- reads answer a miss ------------------------------------------------------------

    def get(self, key, default=None, version=None):
        found = self._call(lambda: super(RedisCache, self).get(key, _MISS, version), _MISS)
        return default if found is _MISS else found

    def get_many(self, keys, version=None):
        return self._call(lambda: super(RedisCache, self).get_many(keys, version), {})

    def has_key(self, key, version=None):
        return self._call(lambda: super(RedisCache, self).has_key(key, version), False)

    # --- writes raise CacheUnavailable --------------------------------------------------

    def add(self, *args, **kwargs):
        return self._call(lambda: super(RedisCache, self).add(*args, **kwargs), _RAISE)

    def set(self, *args, **kwargs):
        return self._call(lambda: super(RedisCache, self).set(*args, **kwargs), _RAISE)

    def touch(self, *args, **kwargs):
        return self._call(lambda: super(RedisCache, self).touch(*args, **kwargs), _RAISE)

    def delete(self, *args, **kwargs):
        return self._call(lambda: super(RedisCache, self).delete(*args, **kwargs), _RAISE)

    def incr(self, *args, **kwargs):
        return self._call(lambda: super(RedisCache, self).incr(*args, **kwargs), _RAISE)

    def set_many(self, *args, **kwargs):
        return self._call(lambda: super(RedisCache, self).set_many(*args, **kwargs), _RAISE)

    def delete_many(self, *args, **kwargs):
        return self._call(lambda: super(RedisCache, self).delete_many(*args, **kwargs), _RAISE)

    def clear(self):
        return self._call(lambda: super(RedisCache, self).clear(), _RAISE)

    # --- the window counter -------------------------------------------------------------

    def count(self, key: str, timeout: int, *, version=None) -> int:
        """Add one to the counter at ``key`` (created with ``timeout``); the new value. One
        command: a server-side script increments and, for a new counter, sets its expiry,
        atomically (no counter is ever left without one). While Redis is unreachable, the
        same count in the database (``ratecounters.hit``): a limit never lapses."""
        key = self.make_and_validate_key(key, version=version)
        try:
            return self._call(lambda: self._count(key, timeout), _RAISE)
        except CacheUnavailable:
            from cocreate import ratecounters  # noqa: PLC0415 — the models load after the cache

            return ratecounters.hit(key, timeout)

    def _count(self, key: str, timeout: int) -> int:
        client = self._cache.get_client(key, write=True)
        script = self._count_scripts.get(id(client))
        if script is None:
            script = self._count_scripts[id(client)] = client.register_script(_COUNT)
        return int(script(keys=[key], args=[timeout]))

    @cached_property
    def _count_scripts(self) -> dict:
        return {}


def available(cache) -> bool:
    """Whether ``cache`` takes calls now: False while a Redis backend is degraded; always True
    for a backend that does not degrade (local memory)."""
    check = getattr(cache, "available", None)  # through django.core.cache's proxy too
    return True if check is None else check()


def count(cache, key: str, timeout: int) -> int:
    """Count one more in the window counter at ``key`` (created with ``timeout`` seconds) and
    answer the new value; atomic on Redis (one round trip, or the database while Redis is
    unreachable) and on local memory."""
    one_trip = getattr(cache, "count", None)  # through django.core.cache's proxy too
    if one_trip is not None:
        return one_trip(key, timeout)
    # add() is a no-op when the key exists; incr() is atomic on Redis and on locmem.
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: start the window again
        cache.add(key, 0, timeout=timeout)
        return cache.incr(key)
