"""Celery tasks for the outbox: thin, idempotent, ids as arguments."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(
    name="notifications.deliver_event",
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=8,
)
def deliver_event(event_id: int) -> bool:
    return services.event_process(event_id=event_id)


@shared_task(name="notifications.relay_outbox")
def relay_outbox(older_than_seconds: int = 30, limit: int = 500) -> int:
    """Hand to the broker every event that is still unprocessed after a while."""
    ids = services.pending_event_ids(older_than_seconds=older_than_seconds, limit=limit)
    for event_id in ids:
        deliver_event.delay(event_id)
    return len(ids)
