"""Celery tasks of notifications: thin, idempotent, ids as arguments. Delivery of events to this
consumer is the event bus's task ``notifications.deliver_event`` (``events.registry``)."""

import logging

from celery import shared_task
from django.conf import settings

from . import services
from .emails import digest_recipients
from .selectors import impact_recipients, outbound_claimable_count

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


# --- The email queue (services.outbound) ------------------------------------------------------
# A sender runs for at most NOTIFICATIONS_EMAIL_SEND_BUDGET seconds (10) plus one batch; the hard
# limit below is far under the broker's visibility timeout (CELERY_BROKER_TRANSPORT_OPTIONS).
SENDER_TIME_LIMIT = 300


@shared_task(name="notifications.send_emails", time_limit=SENDER_TIME_LIMIT)
def send_emails() -> int:
    """Send queued emails, batch after batch, for a while; if more are waiting then, queue
    another sender (so other tasks on the queue get their turn). Returns the number sent."""
    sent, more = services.outbound_send_due()
    if more:
        send_emails.delay()
    return sent


@shared_task(name="notifications.relay_emails")
def relay_emails(limit: int = 1000) -> int:
    """Beat, every ``NOTIFICATIONS_EMAIL_RELAY_INTERVAL`` seconds: queue senders for the emails
    that are due or stuck (a sender that died mid-batch leaves its rows "sending" until their
    lease ends). One sender per batch waiting, at most ``NOTIFICATIONS_EMAIL_SENDERS``; each
    keeps going while there is more. Returns the number of senders queued."""
    waiting = outbound_claimable_count(limit=limit)
    if not waiting:
        return 0
    batch = services.queue_settings().batch
    cap = max(1, int(getattr(settings, "NOTIFICATIONS_EMAIL_SENDERS", 4)))
    senders = min(cap, -(-waiting // batch))
    for _ in range(senders):
        send_emails.delay()
    return senders


@shared_task(name="notifications.send_event_emails", time_limit=SENDER_TIME_LIMIT)
def send_event_emails(
    event_id: int, after_user_id: int | None = None, upto_user_id: int | None = None
) -> int:
    """The sender under the name of the previous version (messages still in the broker at an
    upgrade): emails are queued rows now, whoever asked; this sends what is due."""
    return send_emails()


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
    """Queue one member's digest for this period (sent right after, from this task)."""
    return services.digest_queue(user_id=user_id, frequency=frequency)


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
