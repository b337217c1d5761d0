"""API throttles that cost one counter per request, whatever the rate.

DRF's throttles keep a list with the time of every request in the window and read and rewrite
it whole on each request: at 1200/min that is thousands of floats pickled per request, and two
concurrent requests can both write back a list that misses the other. These count in a fixed
window instead, as ``moderation.ratelimits.hit`` does: ``cache.add`` then ``cache.incr``, atomic
on Redis and on locmem, so concurrent requests can never get more than the rate through.

Same scopes, rates (DEFAULT_THROTTLE_RATES) and subjects as DRF's classes: anonymous clients by
address (``get_ident``, honouring NUM_PROXIES), signed-in users by primary key. A refusal tells
DRF how long until the window ends, which it sends as ``Retry-After``. As a fixed window, a
client may spend one window's allowance at its end and the next one's at the next start.
While Redis is unreachable, the counter is kept in the database instead (``backend.count``):
throttles still hold, and no request fails for want of the cache.
"""

import math

from rest_framework import throttling
from rest_framework.settings import api_settings

from cocreate.caching.backend import count as shared_count


class FixedWindowRateThrottle(throttling.SimpleRateThrottle):
    """SimpleRateThrottle counting ``num_requests`` per ``duration``-second window."""

    # Not DRF's "throttle_%(scope)s_%(ident)s": those keys hold timestamp lists.
    cache_format = "throttle:fw:%(scope)s:%(ident)s"
    # Set by SimpleRateThrottle.__init__ from the parsed rate.
    num_requests: int
    duration: int

    @property
    def THROTTLE_RATES(self) -> dict:  # type: ignore[override]  # read-only on purpose, see below
        # DRF copies the rates into a class attribute at import; read them per request, so
        # changed settings (override_settings in tests) apply. Same dict in production.
        return api_settings.DEFAULT_THROTTLE_RATES

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_end = (window + 1) * self.duration
        count = self._count(f"{self.key}:{window}")
        if count > self.num_requests:
            return self.throttle_failure()
        return True

    def _count(self, key: str) -> int:
        return shared_count(self.cache, key, self.duration + 1)

    def wait(self) -> int:
        """Seconds until the current window ends (DRF rounds up for Retry-After)."""
        return max(math.ceil(self.window_end - self.now), 1)


# DRF's class first: its get_cache_key (and ScopedRateThrottle's scope lookup) run, and its
# super().allow_request() lands on the fixed-window counter above.


class AnonRateThrottle(throttling.AnonRateThrottle, FixedWindowRateThrottle):
    """Anonymous requests, per client address, at the ``anon`` rate."""


class UserRateThrottle(throttling.UserRateThrottle, FixedWindowRateThrottle):
    """Signed-in requests per user (anonymous ones per address), at the ``user`` rate."""


class ScopedRateThrottle(throttling.ScopedRateThrottle, FixedWindowRateThrottle):
    """Per view ``throttle_scope`` (e.g. ``token``), per user or client address."""
