"""Periodic expiry of idempotency keys and form tokens (``CELERY_BEAT_SCHEDULE``)."""

from celery import shared_task

from . import services


@shared_task(name="idempotency.purge_expired")
def purge_expired() -> int:
    """Delete keys and form tokens older than ``IDEMPOTENCY_TTL`` (a key read after it expired
    is already treated as new: this only keeps the table small)."""
    return services.purge_expired()
