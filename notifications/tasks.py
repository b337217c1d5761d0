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


@shared_task(name="notifications.fanout", acks_late=True, max_retries=8, autoretry_for=(Exception,))
def fanout(event_id: int, after_user_id: int) -> int | None:
    """Notify one batch of a community's members, then hand the rest to the next task: the
    number of tasks grows with the audience / 1,000 and each holds one batch in memory."""
    last = services.fanout_batch(event_id=event_id, after_user_id=after_user_id)
    if last is not None:
        fanout.delay(event_id, last)
    return last


@shared_task(name="notifications.send_event_emails", max_retries=8, autoretry_for=(Exception,))
def send_event_emails(event_id: int) -> int:
    """Send the immediate emails owed for one event's notifications."""
    from .emails import send_due_emails

    return send_due_emails(event_id=event_id)


@shared_task(name="notifications.send_digests")
def send_digests(frequency: str) -> int:
    """Hourly: hand each member whose local digest hour has come to its own task (one email
    per member per period; nothing is sent to members with nothing waiting)."""
    from .emails import digest_recipients

    users = digest_recipients(frequency=frequency)
    for user_id in users:
        send_digest.delay(user_id, frequency)
    return len(users)


@shared_task(name="notifications.send_digest", max_retries=5, autoretry_for=(Exception,))
def send_digest(user_id: int, frequency: str) -> int:
    from .emails import send_digest as build_and_send

    return build_and_send(user_id=user_id, frequency=frequency)


# --- Impact reminders (notifications.impact) ----------------------------------------------------


@shared_task(name="notifications.send_impact_reminders")
def send_impact_reminders(frequency: str) -> int:
    """Hourly: hand each member whose local reminder hour has come (and whose knowledge did
    something this period) to their own task."""
    from .impact import impact_recipients

    users = impact_recipients(frequency=frequency)
    for user_id in users:
        send_impact_reminder.delay(user_id, frequency)
    return len(users)


@shared_task(name="notifications.send_impact_reminder", max_retries=5, autoretry_for=(Exception,))
def send_impact_reminder(user_id: int, frequency: str) -> bool:
    """One member's reminder for the period just ended; at most once per period."""
    from .impact import send_impact_reminder as build_and_send

    return build_and_send(user_id=user_id, frequency=frequency)
