"""Writes on the event bus: record a domain event, hand it to its consumers after commit, process
one consumer's delivery exactly once, and find what the broker missed."""

import logging
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from . import registered
from .models import Delivery, OutboxEvent

if TYPE_CHECKING:
    from accounts.types import Viewer  # the actor: the user model the events point at

logger = logging.getLogger(__name__)

ERROR_LIMIT = 2000  # characters of the last error kept on a delivery


def event_record(
    *,
    kind: str,
    payload: dict,
    actor: "Viewer | None" = None,
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
    consumers = registered.consumers_for(kind)
    if consumers:
        # One plain INSERT (this is on every request that records an event; the ORM's
        # bulk_create costs several times as much CPU for one or two rows).
        table = connection.ops.quote_name(Delivery._meta.db_table)
        rows = ", ".join(["(%s, %s, %s, 0, '')"] * len(consumers))
        created = connection.ops.adapt_datetimefield_value(event.created_at)
        params = [value for c in consumers for value in (event.pk, c.name, created)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (event_id, consumer, created_at, attempts, last_error) "  # noqa: S608
                f"VALUES {rows}",
                params,
            )
        event_id = event.pk
        transaction.on_commit(lambda: _enqueue(event_id, consumers))
    return event


def _enqueue(event_id: int, consumers: tuple[registered.Consumer, ...]) -> None:
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
    any another task holds: one transaction and one bookkeeping write for all of them. The
    consumer's ``handle_batch`` takes them all at once in a savepoint; if it fails (or there is
    none), each goes through ``handle`` in a savepoint of its own, so one failing event rolls
    back only its own work. Their own messages then find them processed. A failure of this
    call's own delivery is recorded (attempts, last error) and raised, for the task's retry; a
    failing batch-mate is recorded and left to its own message and retry.
    """
    found = registered.get(consumer)
    handler, handle_batch = found.handle, found.handle_batch
    began = started_at or timezone.now()
    own_error: Exception | None = None
    with transaction.atomic():
        locked = Delivery.objects.select_for_update(of=("self",)).select_related("event")
        own = locked.filter(event_id=event_id, consumer=consumer).first()
        if own is not None and own.processed_at is not None:
            own = None  # done already: this message is a repeat
        mates: list[Delivery] = []
        if batch > 1:
            mates = list(
                locked.select_for_update(skip_locked=True, of=("self",))
                .select_related("event__actor")  # the actor is named in many notifications
                .filter(consumer=consumer, processed_at__isnull=True, last_error="")
                .exclude(event_id=event_id)
                .order_by("id")[: batch - (own is not None)]
            )
        if own is None and not mates:
            return False
        if not mates:
            assert own is not None  # returned above when there is neither
            # The common case: one event, no savepoint; a failure rolls everything back.
            try:
                # The batch handler, when there is one, is the consumer's cheaper path.
                _handle((lambda e: handle_batch([e])) if handle_batch else handler, own)
            except Exception as exc:
                own_error = exc
                transaction.set_rollback(True)
            else:
                _mark_processed([own], began=began, enqueued_at=_when(enqueued_at))
        else:
            pending = [own, *mates] if own is not None else list(mates)
            todo: list[Delivery | _Failed] = list(pending)
            if not (handle_batch and _handle_all(handle_batch, pending)):
                todo = _handle_each(handler, pending, consumer)
            failed = {d.pk: d for d in todo if isinstance(d, _Failed)}
            done = [d for d in todo if not isinstance(d, _Failed)]
            if own is not None and own.pk in failed:
                own_error = failed[own.pk].error
            elif own is not None:
                _mark_processed([own], began=began, enqueued_at=_when(enqueued_at))
            # A batch-mate's own hand-off time is in its message, not here: it was handed over
            # when recorded (or when the relay last stamped it).
            _mark_processed([d for d in done if d is not own], began=began, enqueued_at=None)
    if own_error is not None:
        if not mates and own is not None:  # rolled back: record the failure on its own
            _mark_failed(own, own_error)
        raise own_error
    return own is not None


def _handle(handler: registered.Handler, delivery: Delivery) -> None:
    """Run the handler, and save the event's payload if the handler changed it (a secret
    scrubbed once used); a failed handler leaves the event as it was."""
    event = delivery.event
    before = dict(event.payload)
    try:
        handler(event)
    except Exception:
        event.payload = before
        raise
    if event.payload != before:
        event.save(update_fields=["payload"])


class _Failed:
    """A delivery whose handler failed in a batch (recorded already)."""

    def __init__(self, delivery: Delivery, error: Exception) -> None:
        self.pk, self.delivery, self.error = delivery.pk, delivery, error


def _handle_all(handle_batch: registered.BatchHandler, todo: list[Delivery]) -> bool:
    """The consumer's batch handler on every event, in one savepoint. False if it failed (its
    work rolled back, the events' payloads as they were)."""
    events = [d.event for d in todo]
    before = [dict(e.payload) for e in events]
    try:
        with transaction.atomic():
            handle_batch(events)
            for event, payload in zip(events, before, strict=True):
                if event.payload != payload:
                    event.save(update_fields=["payload"])
    except Exception:
        logger.warning("events: a batch failed; handling its events one by one", exc_info=True)
        for event, payload in zip(events, before, strict=True):
            event.payload = payload
        return False
    return True


def _handle_each(
    handler: registered.Handler, todo: list[Delivery], consumer: str
) -> list[Delivery | _Failed]:
    """The handler on each event, each in a savepoint: a failure rolls back only its own work
    and is recorded on its delivery."""
    outcome: list[Delivery | _Failed] = []
    for delivery in todo:
        try:
            with transaction.atomic():
                _handle(handler, delivery)
        except Exception as exc:
            _mark_failed(delivery, exc)
            logger.warning("events: %s failed on event %s", consumer, delivery.event_id)
            outcome.append(_Failed(delivery, exc))
        else:
            outcome.append(delivery)
    return outcome


def _mark_processed(
    deliveries: list[Delivery], *, began: datetime, enqueued_at: datetime | None
) -> None:
    """One UPDATE for all of them: processed now, started when the task began."""
    if not deliveries:
        return
    now = timezone.now()
    rows = Delivery.objects.filter(pk=deliveries[0].pk) if len(deliveries) == 1 else None
    if rows is None:
        rows = Delivery.objects.filter(pk__in=[d.pk for d in deliveries])
    rows.update(
        processed_at=now,
        started_at=began,
        enqueued_at=enqueued_at or Coalesce(F("enqueued_at"), F("created_at")),
        attempts=F("attempts") + 1,
        last_error="",
    )
    for delivery in deliveries:
        delivery.processed_at, delivery.started_at, delivery.last_error = now, began, ""
        delivery.enqueued_at = enqueued_at or delivery.enqueued_at or delivery.created_at
        delivery.attempts += 1


def _mark_failed(delivery: Delivery, exc: BaseException) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        attempts=F("attempts") + 1, last_error=_error_text(exc)
    )
    delivery.attempts += 1
    delivery.last_error = _error_text(exc)


def pending_deliveries(*, older_than_seconds: int, limit: int) -> list[tuple[str, int]]:
    """(consumer, event id) of every delivery still unprocessed ``older_than_seconds`` after it
    was recorded, for registered consumers only; counts the hand-off as an attempt and stamps it.
    Skips rows another relay or a running task holds."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    names = [c.name for c in registered.all_consumers()]
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
