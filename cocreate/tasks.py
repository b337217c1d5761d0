"""Celery tasks of the infrastructure package: thin, idempotent."""

from celery import shared_task
from django.core.cache import cache

from . import ratecounters
from .caching import owed


@shared_task(name="cocreate.cache_upkeep")
def cache_upkeep() -> dict[str, int]:
    """Delete the cache keys still owed since an outage (a web process that owed them died
    before Redis came back) and the rate-limit windows that have ended. Idempotent."""
    return {"repaid": owed.repay_through(cache), "purged": ratecounters.purge_expired()}
