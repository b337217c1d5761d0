"""What the cache boundary keeps in the database while Redis cannot be reached.

- ``RateCounter``: the window counters of every rate limit (``cocreate.ratecounters``), used
  only while the cache is unavailable, so that an outage never lifts a limit.
- ``OwedCacheDelete``: cache keys whose replacement or deletion failed during an outage
  (generation tokens, sessions): deleted from Redis before it is used again
  (``cocreate.caching.owed``), so nothing written before the outage is served after it.
"""

from django.db import models


class RateCounter(models.Model):
    """One rate-limit window: ``count`` hits since the window began, until ``expires_at``
    (seconds since the epoch, so the same arithmetic holds on SQLite and PostgreSQL)."""

    key = models.CharField(max_length=250, primary_key=True)
    count = models.IntegerField()
    expires_at = models.FloatField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}={self.count}"


class OwedCacheDelete(models.Model):
    """A full cache key (prefix and version included) that must be deleted from Redis before
    anything is served from it again."""

    key = models.CharField(max_length=250, primary_key=True)
    owed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.key
