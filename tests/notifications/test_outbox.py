"""The outbox without a worker: events exist only if their transaction commits, are handed to
Celery only after commit, and are processed exactly once."""

from datetime import timedelta

import pytest
from celery.fixups.django import DjangoWorkerFixup
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.utils import timezone

from cocreate.celery import app as celery_app
from notifications import registry, services
from notifications.models import OutboxEvent
from notifications.tasks import relay_outbox

pytestmark = pytest.mark.django_db


def invitation_payload(**overrides) -> dict:
    return {
        "email": "guest@example.test",
        "community_name": "Trail Bike Lab",
        "inviter_name": "Mia Manager",
        "message": "Come and ride with us.",
        "accept_path": "/invitations/raw-token-abc/",
        "expires_at": "2030-01-01T00:00:00+00:00",
        "locale": "en",
        **overrides,
    }


class Boom(Exception):
    pass


def test_rolled_back_transaction_leaves_no_event_and_enqueues_nothing(
    django_capture_on_commit_callbacks,
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        services.event_record(kind="invitation.created", payload=invitation_payload())
        raise Boom

    assert callbacks == []
    assert OutboxEvent.objects.count() == 0
    assert mail.outbox == []


def test_committed_event_is_enqueued_once_after_commit_and_processed(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            event = services.event_record(kind="invitation.created", payload=invitation_payload())
        # Nothing ran yet: the hand-off waits for the commit.
        assert mail.outbox == []

    assert len(callbacks) == 1
    callbacks[0]()  # the commit hook: deliver_event.delay, eager in tests

    event.refresh_from_db()
    assert event.processed_at is not None
    assert event.attempts == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["guest@example.test"]
    assert "/invitations/raw-token-abc/" in mail.outbox[0].body
    # The raw token is scrubbed from the stored payload once the email has gone.
    assert event.payload["accept_path"] == "[sent]"


def test_event_process_is_idempotent():
    event = services.event_record(kind="invitation.created", payload=invitation_payload())

    assert services.event_process(event_id=event.pk) is True
    first = OutboxEvent.objects.get(pk=event.pk)
    assert services.event_process(event_id=event.pk) is False

    again = OutboxEvent.objects.get(pk=event.pk)
    assert len(mail.outbox) == 1  # the consumer ran once
    assert again.processed_at == first.processed_at
    assert again.attempts == 1


def test_event_process_of_missing_event_returns_false():
    assert services.event_process(event_id=987654321) is False


def test_failing_consumer_leaves_event_unprocessed_for_a_retry(monkeypatch):
    calls = []

    def failing(event):
        calls.append(event.pk)
        event.payload = {**event.payload, "touched": True}
        raise Boom

    monkeypatch.setitem(registry._consumers, "ops.failing", [failing])
    event = services.event_record(kind="ops.failing", payload={"n": 1})

    with pytest.raises(Boom):
        services.event_process(event_id=event.pk)

    event.refresh_from_db()
    assert calls == [event.pk]
    assert event.processed_at is None
    assert event.payload == {"n": 1}  # the consumer's partial work rolled back with it


def test_event_without_consumers_is_marked_processed():
    event = services.event_record(kind="ops.nobody-listens", payload={})

    assert services.event_process(event_id=event.pk) is True
    event.refresh_from_db()
    assert event.processed_at is not None


def test_pending_event_ids_picks_old_unprocessed_events_only():
    old = OutboxEvent.objects.create(
        kind="ops.a", payload={}, created_at=timezone.now() - timedelta(minutes=5)
    )
    young = OutboxEvent.objects.create(kind="ops.b", payload={})
    done = OutboxEvent.objects.create(
        kind="ops.c",
        payload={},
        created_at=timezone.now() - timedelta(minutes=5),
        processed_at=timezone.now(),
    )

    ids = services.pending_event_ids(older_than_seconds=30, limit=10)

    assert ids == [old.pk]
    old.refresh_from_db()
    young.refresh_from_db()
    done.refresh_from_db()
    assert (old.attempts, young.attempts, done.attempts) == (1, 0, 0)


def test_relay_processes_what_the_broker_missed():
    stale = OutboxEvent.objects.create(
        kind="invitation.created",
        payload=invitation_payload(),
        created_at=timezone.now() - timedelta(minutes=5),
    )

    assert relay_outbox(older_than_seconds=30) == 1  # eager in tests: delivered in-process

    stale.refresh_from_db()
    assert stale.processed_at is not None
    assert len(mail.outbox) == 1
    assert relay_outbox(older_than_seconds=30) == 0


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


def test_notification_tasks_route_to_their_queue():
    route = celery_app.amqp.router.route({}, "notifications.deliver_event")
    assert route["queue"].name == "notifications"
    assert celery_app.conf.beat_schedule["outbox-relay"]["task"] == "notifications.relay_outbox"
