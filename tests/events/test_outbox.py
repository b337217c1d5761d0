"""The event bus without a worker: events exist only if their transaction commits, are handed to
each consumer only after commit, and each consumer processes each event exactly once, on its own:
one consumer's failure neither re-runs nor holds up another."""

from dataclasses import replace
from datetime import timedelta

import pytest
from celery.fixups.django import DjangoWorkerFixup
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cocreate.celery import app as celery_app
from events import registered, registry, services
from events.models import Delivery, OutboxEvent
from events.tasks import relay

from .consumers import FLAKY, HEALTHY, KIND, FlakyError, runs

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def _delivery(event, consumer) -> Delivery:
    return Delivery.objects.get(event=event, consumer=consumer)


def test_rolled_back_transaction_leaves_no_event_and_enqueues_nothing(
    two_consumers, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        services.event_record(kind=KIND, payload={"n": 1})
        raise Boom

    assert callbacks == []
    assert OutboxEvent.objects.count() == 0
    assert Delivery.objects.count() == 0


def test_an_event_gets_one_delivery_per_consumer_and_is_handed_to_each_after_commit(
    two_consumers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            event = services.event_record(kind=KIND, payload={"n": 1})
        assert runs(HEALTHY, event.pk) == runs(FLAKY, event.pk) == 0

    assert sorted(event.deliveries.values_list("consumer", flat=True)) == [FLAKY, HEALTHY]
    assert len(callbacks) == 1
    callbacks[0]()  # the commit hook: one task per consumer, eager in tests

    for consumer in (HEALTHY, FLAKY):
        delivery = _delivery(event, consumer)
        assert delivery.processed_at is not None
        assert delivery.started_at is not None and delivery.enqueued_at is not None
        assert delivery.attempts == 1
        assert runs(consumer, event.pk) == 1


def test_an_event_delivered_twice_to_a_consumer_books_once(two_consumers):
    event = services.event_record(kind=KIND, payload={})

    assert services.delivery_process(consumer=HEALTHY, event_id=event.pk) is True
    first = _delivery(event, HEALTHY)
    assert services.delivery_process(consumer=HEALTHY, event_id=event.pk) is False

    again = _delivery(event, HEALTHY)
    assert runs(HEALTHY, event.pk) == 1
    assert again.processed_at == first.processed_at
    assert again.attempts == 1
    # The other consumer's delivery is its own: still waiting, untouched.
    assert _delivery(event, FLAKY).processed_at is None
    assert runs(FLAKY, event.pk) == 0


def test_delivery_of_a_missing_event_returns_false(two_consumers):
    assert services.delivery_process(consumer=HEALTHY, event_id=987654321) is False


def test_a_failing_consumer_retries_without_re_running_the_healthy_one(two_consumers):
    event = services.event_record(kind=KIND, payload={"fail": True})

    assert services.delivery_process(consumer=HEALTHY, event_id=event.pk) is True
    for attempt in (1, 2, 3):
        with pytest.raises(FlakyError):
            services.delivery_process(consumer=FLAKY, event_id=event.pk)
        failed = _delivery(event, FLAKY)
        assert failed.processed_at is None
        assert failed.attempts == attempt
        assert "FlakyError: the flaky consumer is down" in failed.last_error

    assert runs(FLAKY, event.pk) == 3
    assert runs(HEALTHY, event.pk) == 1
    done = _delivery(event, HEALTHY)
    assert done.attempts == 1 and done.last_error == ""

    # Once it recovers, it delivers; the error is cleared.
    OutboxEvent.objects.filter(pk=event.pk).update(payload={})
    assert services.delivery_process(consumer=FLAKY, event_id=event.pk) is True
    recovered = _delivery(event, FLAKY)
    assert recovered.processed_at is not None
    assert (recovered.attempts, recovered.last_error) == (4, "")
    assert runs(HEALTHY, event.pk) == 1


def test_a_failing_handler_leaves_no_partial_work(two_consumers, monkeypatch):
    def scribbling(event):
        event.payload = {**event.payload, "touched": True}
        raise Boom

    monkeypatch.setitem(
        registered._consumers, FLAKY, replace(registry.get(FLAKY), handle=scribbling)
    )
    event = services.event_record(kind=KIND, payload={"n": 1})

    with pytest.raises(Boom):
        services.delivery_process(consumer=FLAKY, event_id=event.pk)

    event.refresh_from_db()
    assert event.payload == {"n": 1}  # the handler's partial work rolled back with it
    assert _delivery(event, FLAKY).processed_at is None


def test_a_batch_delivers_every_waiting_event_and_isolates_a_failing_one(two_consumers):
    """A worker whose queue filled up takes several waiting deliveries in one transaction; each
    handler runs in a savepoint, so a failing event rolls back only its own work."""
    first = services.event_record(kind=KIND, payload={"n": 0})
    failing = services.event_record(kind=KIND, payload={"fail": True})
    rest = [services.event_record(kind=KIND, payload={"n": n}) for n in range(1, 4)]

    assert services.delivery_process(consumer=FLAKY, event_id=first.pk, batch=10) is True

    for event in [first, *rest]:
        delivery = _delivery(event, FLAKY)
        assert delivery.processed_at is not None and delivery.attempts == 1
        assert runs(FLAKY, event.pk) == 1
    mate = _delivery(failing, FLAKY)
    assert mate.processed_at is None and mate.attempts == 1
    assert "FlakyError" in mate.last_error
    # Their own messages then find them done (the failed one is tried again by its own).
    assert services.delivery_process(consumer=FLAKY, event_id=rest[0].pk, batch=10) is False
    assert runs(FLAKY, failing.pk) == 1  # a failed batch-mate is not taken again by others
    with pytest.raises(FlakyError):
        services.delivery_process(consumer=FLAKY, event_id=failing.pk, batch=10)
    assert _delivery(failing, FLAKY).attempts == 2
    # The other consumer was never touched.
    assert not Delivery.objects.filter(consumer=HEALTHY, processed_at__isnull=False).exists()


def test_a_batch_whose_own_event_fails_commits_the_others_and_raises(two_consumers):
    failing = services.event_record(kind=KIND, payload={"fail": True})
    other = services.event_record(kind=KIND, payload={})

    with pytest.raises(FlakyError):
        services.delivery_process(consumer=FLAKY, event_id=failing.pk, batch=10)

    assert _delivery(other, FLAKY).processed_at is not None
    own = _delivery(failing, FLAKY)
    assert own.processed_at is None and own.attempts == 1 and "FlakyError" in own.last_error


def test_an_event_nobody_consumes_is_recorded_and_never_queued(
    two_consumers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        event = services.event_record(kind="ops.nobody-listens", payload={})

    assert callbacks == []
    assert OutboxEvent.objects.filter(pk=event.pk).exists()
    assert not event.deliveries.exists()


def test_the_relay_requeues_per_consumer_only_what_that_consumer_has_not_processed(
    two_consumers,
):
    old = timezone.now() - timedelta(minutes=5)
    stale = services.event_record(kind=KIND, payload={})
    young = services.event_record(kind=KIND, payload={})
    Delivery.objects.filter(event=stale).update(created_at=old)
    services.delivery_process(consumer=HEALTHY, event_id=stale.pk)

    assert services.pending_deliveries(older_than_seconds=30, limit=10) == [(FLAKY, stale.pk)]
    flaky, healthy = _delivery(stale, FLAKY), _delivery(stale, HEALTHY)
    assert (flaky.attempts, healthy.attempts) == (1, 1)  # the hand-off counts as an attempt
    assert flaky.enqueued_at is not None
    assert {d.attempts for d in young.deliveries.all()} == {0}


def test_the_relay_skips_deliveries_of_consumers_no_longer_registered(two_consumers):
    event = services.event_record(kind=KIND, payload={})
    Delivery.objects.filter(event=event).update(created_at=timezone.now() - timedelta(minutes=5))
    two_consumers.unregister()

    assert services.pending_deliveries(older_than_seconds=30, limit=10) == []


def test_the_relay_delivers_what_the_broker_missed(two_consumers):
    stale = services.event_record(kind=KIND, payload={})
    Delivery.objects.filter(event=stale).update(created_at=timezone.now() - timedelta(minutes=5))
    services.delivery_process(consumer=HEALTHY, event_id=stale.pk)

    assert relay(older_than_seconds=30) == 1  # eager in tests: delivered in-process

    assert _delivery(stale, FLAKY).processed_at is not None
    assert runs(FLAKY, stale.pk) == 1
    assert runs(HEALTHY, stale.pk) == 1  # not re-run: it had processed the event
    assert relay(older_than_seconds=30) == 0


def test_each_consumer_has_its_own_task_and_retry_policy(two_consumers):
    healthy, flaky = registry.get(HEALTHY), registry.get(FLAKY)
    assert healthy.task.name == "bustest_healthy.deliver_event"
    assert flaky.task.name == "bustest_flaky.deliver_event"
    assert flaky.task.max_retries == 3
    assert registry.consumers_for(KIND) == (healthy, flaky)
    assert registry.consumers_for("ops.nobody-listens") == ()


def test_worker_settings_reach_celery():
    """The Celery app reads the CELERY_* settings, including the Django fixup's DB reuse."""
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_serializer == "json"
    assert conf.result_serializer == "json"
    assert list(conf.accept_content) == ["json"]
    assert settings.CELERY_DB_REUSE_MAX > 0
    # Celery's Django fixup looks the value up itself; it must find ours, or every task would
    # close and reopen its database connection.
    assert DjangoWorkerFixup(celery_app).db_reuse_max == settings.CELERY_DB_REUSE_MAX


def test_each_consumer_routes_to_its_own_queue_and_the_relay_is_scheduled():
    route = celery_app.amqp.router.route({}, "notifications.deliver_event")
    assert route["queue"].name == "notifications"
    assert celery_app.amqp.router.route({}, "events.relay")["queue"].name == "default"
    assert celery_app.conf.beat_schedule["outbox-relay"]["task"] == "events.relay"
    assert celery_app.conf.beat_schedule["outbox-relay"]["schedule"] == 30.0


def test_a_batch_handler_takes_the_whole_batch_at_once_and_falls_back_when_it_fails(
    two_consumers, monkeypatch
):
    calls = []

    def batch_handler(events):
        calls.append([e.pk for e in events])
        if any(e.payload.get("fail") for e in events):
            raise FlakyError("one bad event in the batch")
        for event in events:
            two_consumers.healthy(event)

    monkeypatch.setitem(
        registered._consumers, HEALTHY, replace(registry.get(HEALTHY), handle_batch=batch_handler)
    )
    events = [services.event_record(kind=KIND, payload={"n": n}) for n in range(3)]

    assert services.delivery_process(consumer=HEALTHY, event_id=events[0].pk, batch=10) is True
    assert calls == [[e.pk for e in events]]  # one call for the batch, its own event first
    assert [runs(HEALTHY, e.pk) for e in events] == [1, 1, 1]

    bad = services.event_record(kind=KIND, payload={"fail": True})
    good = services.event_record(kind=KIND, payload={})
    with pytest.raises(FlakyError):  # its own event failed, handled on its own
        services.delivery_process(consumer=FLAKY, event_id=bad.pk, batch=10)
    assert services.delivery_process(consumer=HEALTHY, event_id=bad.pk, batch=10) is True
    # The batch failed as a whole, so each event went through ``handle`` in its own savepoint.
    assert calls[-1] == [bad.pk, good.pk]
    assert runs(HEALTHY, bad.pk) == runs(HEALTHY, good.pk) == 1
    assert _delivery(good, HEALTHY).processed_at is not None
