"""Notifications as a consumer of the event bus, without a worker: the invitation email goes
once, after commit, and its token is scrubbed; the relay delivers what the broker missed.
(The bus itself, for any consumer: tests/events/test_outbox.py.)"""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from events.models import Delivery
from events.services import event_record
from events.tasks import relay

from .support import CONSUMER, process

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


def test_committed_invitation_is_emailed_once_after_commit_and_its_token_scrubbed(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            event = event_record(kind="invitation.created", payload=invitation_payload())
        # Nothing ran yet: the hand-off waits for the commit.
        assert mail.outbox == []

    assert len(callbacks) == 1
    callbacks[0]()  # the commit hook: notifications.deliver_event.delay, eager in tests

    event.refresh_from_db()
    delivery = Delivery.objects.get(event=event, consumer=CONSUMER)
    assert delivery.processed_at is not None
    assert delivery.attempts == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["guest@example.test"]
    assert "/invitations/raw-token-abc/" in mail.outbox[0].body
    # The raw token is scrubbed from the stored payload once the email has gone.
    assert event.payload["accept_path"] == "[sent]"


def test_an_invitation_delivered_twice_is_emailed_once():
    event = event_record(kind="invitation.created", payload=invitation_payload())

    assert process(event.pk) is True
    assert process(event.pk) is False

    assert len(mail.outbox) == 1
    assert Delivery.objects.get(event=event, consumer=CONSUMER).attempts == 1


def test_the_relay_emails_an_invitation_the_broker_missed():
    stale = event_record(kind="invitation.created", payload=invitation_payload())
    Delivery.objects.filter(event=stale).update(created_at=timezone.now() - timedelta(minutes=5))

    assert relay(older_than_seconds=30) == 1  # eager in tests: delivered in-process

    assert Delivery.objects.get(event=stale, consumer=CONSUMER).processed_at is not None
    assert len(mail.outbox) == 1
    assert relay(older_than_seconds=30) == 0
