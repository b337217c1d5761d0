"""The outbox moved from notifications to events without loss: existing events keep their ids
and payloads, and what they said about their processing becomes the notifications consumer's
delivery state (and goes back onto the events when the migration is reversed)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from events.models import Delivery, OutboxEvent
from events.services import event_record
from notifications.models import FanoutChunk, Notification

from ..factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("notifications", "0003_fanout_chunks_and_queue_times"), ("events", None)]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    named = [(app, name) for app, name in targets if name is not None]
    return MigrationExecutor(connection).loader.project_state(named).apps


@pytest.fixture
def back_to_latest():
    """Whatever happens, the test leaves the schema as every other test expects it."""
    yield
    _migrate(_latest())


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def test_existing_outbox_rows_become_the_notifications_consumers_deliveries(back_to_latest):
    user = UserFactory()
    old = _migrate(BEFORE)
    OldEvent = old.get_model("notifications", "OutboxEvent")
    OldNotification = old.get_model("notifications", "Notification")
    OldChunk = old.get_model("notifications", "FanoutChunk")
    now = timezone.now()
    processed = OldEvent.objects.create(
        kind="comment.mention",
        payload={"comment_id": 7, "recipient_id": user.pk},
        actor_id=user.pk,
        community_id=3,
        created_at=now - timedelta(hours=1),
        processed_at=now - timedelta(minutes=59),
        attempts=1,
        enqueued_at=now - timedelta(hours=1),
        started_at=now - timedelta(minutes=59),
    )
    failing = OldEvent.objects.create(
        kind="invitation.created",
        payload={"email": "a@example.test"},
        attempts=3,
        last_error="SMTP down",
    )
    pending = OldEvent.objects.create(kind="announcement.created", payload={"title": "Hi"})
    OldNotification.objects.create(
        recipient_id=user.pk, event_id=processed.pk, kind="comment.mention", text="x"
    )
    OldChunk.objects.create(event_id=pending.pk, after_user_id=0)

    _migrate(_latest())

    assert list(OutboxEvent.objects.order_by("id").values_list("id", "kind", "payload")) == [
        (processed.pk, "comment.mention", {"comment_id": 7, "recipient_id": user.pk}),
        (failing.pk, "invitation.created", {"email": "a@example.test"}),
        (pending.pk, "announcement.created", {"title": "Hi"}),
    ]
    assert OutboxEvent.objects.get(pk=processed.pk).actor_id == user.pk
    state = {d.event_id: d for d in Delivery.objects.filter(consumer="notifications")}
    assert set(state) == {processed.pk, failing.pk, pending.pk}
    assert Delivery.objects.count() == 3
    done = state[processed.pk]
    assert (done.processed_at, done.started_at, done.enqueued_at, done.attempts) == (
        processed.processed_at,
        processed.started_at,
        processed.enqueued_at,
        1,
    )
    assert done.created_at == processed.created_at
    assert (state[failing.pk].processed_at, state[failing.pk].attempts) == (None, 3)
    assert state[failing.pk].last_error == "SMTP down"
    assert state[pending.pk].processed_at is None and state[pending.pk].attempts == 0
    # What hangs on the events still does, and new events continue the ids.
    assert Notification.objects.get().event_id == processed.pk
    assert FanoutChunk.objects.get().event_id == pending.pk
    assert event_record(kind="ops.after", payload={}).pk > pending.pk

    # Reversed, the state goes back onto the events.
    old = _migrate(BEFORE)
    back = old.get_model("notifications", "OutboxEvent").objects
    assert back.get(pk=processed.pk).processed_at == processed.processed_at
    assert (back.get(pk=failing.pk).attempts, back.get(pk=failing.pk).last_error) == (
        3,
        "SMTP down",
    )
    assert back.get(pk=pending.pk).processed_at is None
