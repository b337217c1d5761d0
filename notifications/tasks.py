"""Celery tasks of notifications: thin, idempotent, ids as arguments. Delivery of events to this
consumer is the event bus's task ``notifications.deliver_event`` (``events.registry``)."""

import logging

from celery import shared_task

from . import services
from .emails import digest_recipients, send_due_emails
from .emails import send_digest as build_and_send
from .selectors import impact_recipients

logger = logging.getLogger(__name__)


def requeue_fanout_chunks(*, older_than_seconds: int = 30, limit: int = 500) -> int:
    """Queue again every fan-out chunk still undone a while after it was queued (a worker killed
    mid-fan-out). The event bus's relay (``events.relay``) calls it on every pass."""
    chunks = services.pending_fanout_chunk_ids(older_than_seconds=older_than_seconds, limit=limit)
    for chunk_id in chunks:
        fanout_chunk.delay(chunk_id)
    return len(chunks)


@shared_task(
    name="notifications.fanout_chunk",
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=8,
)
def fanout_chunk(chunk_id: int) -> int | None:
    """Notify one chunk (at most ``NOTIFICATIONS_FANOUT_BATCH`` members) of a community-wide
    event. Every chunk of an event is queued at once, so the worker processes share the work;
    the number of tasks is the audience / batch size."""
    return services.fanout_chunk_process(chunk_id=chunk_id)


@shared_task(name="notifications.send_event_emails", max_retries=8, autoretry_for=(Exception,))
def send_event_emails(
    event_id: int, after_user_id: int | None = None, upto_user_id: int | None = None
) -> int:
    """Send the immediate emails owed for one event's notifications (for a fan-out chunk, only
    those of its recipients, user ids in (after, upto])."""
    return send_due_emails(
        event_id=event_id, after_user_id=after_user_id, upto_user_id=upto_user_id
    )


@shared_task(name="notifications.send_digests")
def send_digests(frequency: str) -> int:
    """Hourly: hand each member whose local digest hour has come to its own task (one email
    per member per period; nothing is sent to members with nothing waiting)."""
    users = digest_recipients(frequency=frequency)
    for user_id in users:
        send_digest.delay(user_id, frequency)
    return len(users)


@shared_task(name="notifications.send_digest", max_retries=5, autoretry_for=(Exception,))
def send_digest(user_id: int, frequency: str) -> int:
    return build_and_send(user_id=user_id, frequency=frequency)


# --- Impact reminders (notifications.impact) ----------------------------------------------------


@shared_task(name="notifications.send_impact_reminders")
def send_impact_reminders(frequency: str) -> int:
    """Hourly: hand each member whose local reminder hour has come (and whose knowledge did
    something this period) to their own task."""
    users = impact_recipients(frequency=frequency)
    for user_id in users:
        send_impact_reminder.delay(user_id, frequency)
    return len(users)


@shared_task(name="notifications.send_impact_reminder", max_retries=5, autoretry_for=(Exception,))
def send_impact_reminder(user_id: int, frequency: str) -> bool:
    """One member's reminder for the period just ended; at most once per period."""
    return services.impact_reminder_send(user_id=user_id, frequency=frequency)
