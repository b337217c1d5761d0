"""Writes on the outbox: record a domain event, and process one exactly once."""

import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import OutboxEvent
from .registry import consumers_for

logger = logging.getLogger(__name__)


def event_record(
    *,
    kind: str,
    payload: dict,
    actor=None,
    community_id: int | None = None,
) -> OutboxEvent:
    """Record a domain event in the caller's transaction and hand it to Celery after commit.

    Call inside the transaction that made the change. If that transaction rolls back, the
    event never existed and nothing is sent. If the broker is unreachable after commit, the
    periodic relay (``notifications.relay_outbox``) delivers it later.
    """
    event = OutboxEvent.objects.create(
        kind=kind,
        payload=payload,
        actor=actor if actor is not None and actor.is_authenticated else None,
        community_id=community_id,
    )
    transaction.on_commit(lambda: _enqueue(event.pk))
    return event


def _enqueue(event_id: int) -> None:
    from .tasks import deliver_event

    try:
        deliver_event.delay(event_id)
    except Exception:  # broker down: the relay picks the event up later
        logger.warning("outbox: could not enqueue event %s; relay will retry", event_id)


def event_process(*, event_id: int) -> bool:
    """Run every consumer of the event once. Returns False if it was already processed.

    Locks the event row, so two workers handed the same event cannot both act on it.
    """
    with transaction.atomic():
        event = OutboxEvent.objects.select_for_update().filter(pk=event_id).first()
        if event is None or event.processed_at is not None:
            return False
        for consumer in consumers_for(event.kind):
            consumer(event)
        event.processed_at = timezone.now()
        event.attempts += 1
        event.save(update_fields=["processed_at", "attempts", "payload"])
    return True


def pending_event_ids(*, older_than_seconds: int, limit: int) -> list[int]:
    """Ids of events not processed after ``older_than_seconds``; skips rows another relay holds."""
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    with transaction.atomic():
        qs = OutboxEvent.objects.filter(processed_at__isnull=True, created_at__lte=cutoff)
        qs = qs.order_by("id").select_for_update(skip_locked=True)
        ids = list(qs.values_list("id", flat=True)[:limit])
        if ids:
            OutboxEvent.objects.filter(pk__in=ids).update(attempts=F("attempts") + 1)
    return ids
