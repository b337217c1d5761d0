"""Writes on the event bus: record a domain event, hand it to its consumers after commit, process
one consumer's delivery exactly once, and find what the broker missed."""

import logging
import time
from datetime import UTC, datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import registry
from .models import Delivery, OutboxEvent

logger = logging.getLogger(__name__)

ERROR_LIMIT = 2000  # characters of the last error kept on a delivery


def event_record(
    *,
    kind: str,
    payload: dict,
    actor=None,
    community_id: int | None = None,
) -> OutboxEvent:
    """Record a domain event in the caller's transaction, with one delivery row per consumer of
    its kind, and hand it to each consumer's queue after commit.

    Call inside the transaction that made the change. If that transaction rolls back, the
    event never existed and nothing is sent. If the broker is unreachable after commit, the
    periodic relay (``events.relay``) hands it over later.
    """
    event = OutboxEvent.objects.create(
        kind=kind,
        payload=payload,
        actor=actor if actor is not None and actor.is_authenticated else None,
        community_id=community_id,
    )
    consumers = registry.consumers_for(kind)
    if consumers:
        Delivery.objects.bulk_create(
            [Delivery(event=event, consumer=c.name, created_at=event.created_at) for c in consumers]
        )
        event_id = event.pk
        transaction.on_commit(lambda: _enqueue(event_id, consumers))
    return event


def _enqueue(event_id: int, consumers: tuple[registry.Consumer, ...]) -> None:
    # The hand-off time travels in the message: the delivery records how long it waited.
    enqueued_at = time.time()
    for consumer in consumers:
        try:
            consumer.task.delay(event_id, enqueued_at=enqueued_at)
        except Exception:  # broker down: the relay picks the delivery up later
            logger.warning(
                "events: could not enqueue event %s for %s; relay will retry",
                event_id,
                consumer.name,
            )


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:ERROR_LIMIT]


def _when(unix: float | None) -> datetime | None:
    return datetime.fromtimestamp(unix, tz=UTC) if unix is not None else None


def delivery_process(
    *,
    consumer: str,
    event_id: int,
    enqueued_at: float | None = None,
    started_at: datetime | None = None,
    batch: int = 1,
) -> bool:
    """Run ``consumer``'s handler on its delivery of event ``event_id``, once. Returns False if
    that delivery is missing or was already processed. Never reads or writes another consumer's
    delivery, so one consumer's failure or backlog cannot re-run or delay another.

    Locks the delivery row (waiting for a task that holds it), so two workers handed the same
    delivery cannot both act on it. ``enqueued_at`` (a Unix time, from the task message) and
    ``started_at`` are recorded with ``processed_at``: the time it waited in the queue.

    With ``batch`` > 1 (a worker whose queue has filled up) the same transaction also takes up to
    ``batch - 1`` other deliveries of this consumer that wait untried, oldest first, skipping
    any another task holds: one transaction and one bookkeeping write for all of them, each
    handler in a savepoint of its own, so one failing event rolls back only its own work. Their
    own messages then find them processed. A failure of this call's own delivery is recorded
    (attempts, last error) and raised, for the task's retry; a failing batch-mate is recorded and
    left to its own message and retry.
    """
    handler = registry.get(consumer).handle
    own_error: Exception | None = None
    with transaction.atomic():
        locked = Delivery.objects.select_for_update(of=("self",)).select_related(
            "event", "event__actor"
        )
        own = locked.filter(event_id=event_id, consumer=consumer).first()
        todo = [own] if own is not None and own.processed_at is None else []
        if batch > 1:
            mates = (
                locked.select_for_update(skip_locked=True, of=("self",))
                .filter(consumer=consumer, processed_at__isnull=True, last_error="")
                .exclude(event_id=event_id)
                .order_by("id")[: batch - len(todo)]
            )
            todo += list(mates)
        if not todo:
            return False
        if len(todo) == 1 and todo[0] is own:
            # The common case: one event, no savepoint; a failure rolls everything back.
            try:
                _handle(handler, own, started_at)
            except Exception as exc:
                own_error = exc
                transaction.set_rollback(True)
            else:
                own.enqueued_at = _when(enqueued_at) or own.enqueued_at
                Delivery.objects.bulk_update([own], _STATE_FIELDS)
        else:
            for delivery in todo:
                try:
                    with transaction.atomic():
                        _handle(handler, delivery, started_at if delivery is own else None)
                except Exception as exc:
                    delivery.attempts += 1
                    delivery.last_error = _error_text(exc)
                    delivery.processed_at = delivery.started_at = None
                    if delivery is own:
                        own_error = exc
                    else:
                        logger.warning("events: %s failed on %s", consumer, delivery.event_id)
                if delivery is own:
                    delivery.enqueued_at = _when(enqueued_at) or delivery.enqueued_at
                else:
                    delivery.enqueued_at = delivery.enqueued_at or delivery.created_at
            Delivery.objects.bulk_update(todo, _STATE_FIELDS)
    if own_error is not None:
        if len(todo) == 1:  # rolled back: record the failure on its own
            Delivery.objects.filter(pk=own.pk).update(
                attempts=F("attempts") + 1, last_error=_error_text(own_error)
            )
        raise own_error
    return own is not None and own.processed_at is not None and own in todo


_STATE_FIELDS = ["processed_at", "started_at", "enqueued_at", "attempts", "last_error"]


def _handle(handler: registry.Handler, delivery: Delivery, started_at: datetime | None) -> None:
    """Run the handler; on success the delivery (not yet saved) is marked processed, and the
    event's payload saved if the handler changed it (a secret scrubbed once used)."""
    event = delivery.event
    began = started_at or timezone.now()
    before = dict(event.payload)
    try:
        handler(event)
    except Exception:
        event.payload = before
        raise
    if event.payload != before:
        event.save(update_fields=["payload"])
    delivery.started_at = began
    delivery.processed_at = timezone.now()
    delivery.attempts += 1
    delivery.last_error = ""


def pending_deliveries(*, older_than_seconds: int, limit: int) -> list[tuple[str, int]]:
    """(consumer, event id) of every delivery still unprocessed ``older_than_seconds`` after it
    was recorded, for registered consumers only; counts the hand-off as an attempt and stamps it.
    Skips rows another relay or a running task holds."""
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    names = [c.name for c in registry.all_consumers()]
    with transaction.atomic():
        qs = Delivery.objects.filter(
            consumer__in=names, processed_at__isnull=True, created_at__lte=cutoff
        )
        qs = qs.order_by("id").select_for_update(skip_locked=True)
        rows = list(qs.values_list("id", "consumer", "event_id")[:limit])
        if rows:
            Delivery.objects.filter(pk__in=[r[0] for r in rows]).update(
                attempts=F("attempts") + 1, enqueued_at=timezone.now()
            )
    return [(consumer, event_id) for _pk, consumer, event_id in rows]
