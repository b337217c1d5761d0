"""The email queue (``notifications.services.outbound``) against the real PostgreSQL database and
a real SMTP server (``tests.smtp_sink``, on a loopback port) through Django's SMTP backend:
claims skip rows another sender holds, a lease that ran out is claimed again, each email is
recorded as sent right after the server accepted it, a retried email keeps its Message-ID,
failures back off and end failed, and there is one digest or reminder per member and period."""

import re
from datetime import UTC, datetime, timedelta

import psycopg2
import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from notifications import services, tasks
from notifications.mail import message_id
from notifications.models import Notification, OutboundEmail
from notifications.selectors import outbound_claimable_count

from ..conftest import require_or_skip, uses_postgres
from ..factories import UserFactory
from ..smtp_sink import SmtpSink
from .support import delivered, make_lab, process, unprocessed_events

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sink(settings):
    """A real SMTP server; Django's SMTP backend sends to it."""
    require_or_skip(uses_postgres(), "the email queue tests need DATABASE_URL=postgres://...")
    with SmtpSink() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = server.host, server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield server


def _owed(n: int, **user) -> list[OutboundEmail]:
    """``n`` members, each with a notification whose email is owed now and queued."""
    emails = []
    for i in range(n):
        recipient = UserFactory(**user)
        notification = Notification.objects.create(
            recipient=recipient,
            kind="comment.mention",
            text=f"Ana mentioned you ({i})",
            url=f"/c/lab/ideas/{i}/",
            email_state=Notification.EmailState.NOW,
        )
        emails.append(
            OutboundEmail.objects.create(
                recipient=recipient,
                kind=OutboundEmail.Kind.NOTIFICATION,
                notification=notification,
            )
        )
    return emails


def _other_connection():
    db = connection.settings_dict
    return psycopg2.connect(
        dbname=db["NAME"],
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or None,
    )


def test_claim_skips_rows_another_sender_holds_and_commits_its_own_as_sending(sink):
    first, second, third = _owed(3)
    other = _other_connection()
    try:
        with other.cursor() as cursor:  # another sender, mid-claim: row locked, uncommitted
            cursor.execute(
                "SELECT id FROM notifications_outboundemail WHERE id = %s FOR UPDATE", [first.pk]
            )
            claimed = services.outbound_claim(limit=3)
            # Not waiting for the lock: the held row is skipped.
            assert [e.pk for e in claimed] == [second.pk, third.pk]
            # Committed: the other sender sees them as sending, leased, one attempt each.
            cursor.execute(
                "SELECT id, state, attempts, lease_until > now() FROM notifications_outboundemail"
                " ORDER BY id"
            )
            assert cursor.fetchall() == [
                (first.pk, "due", 0, None),
                (second.pk, "sending", 1, True),
                (third.pk, "sending", 1, True),
            ]
    finally:
        other.rollback()
        other.close()
    # Released, the first is claimable; the two others are leased and are not.
    assert [e.pk for e in services.outbound_claim(limit=3)] == [first.pk]
    assert services.outbound_claim(limit=3) == []


def test_a_claim_whose_lease_ran_out_is_claimed_again_and_sent_once(sink, settings):
    settings.NOTIFICATIONS_EMAIL_LEASE = 20
    (email,) = _owed(1)
    (claimed,) = services.outbound_claim()  # its sender dies here: nothing sent
    assert claimed.state == "sending"
    assert services.outbound_claim() == []
    assert outbound_claimable_count(limit=10) == 0
    later = timezone.now() + timedelta(seconds=21)

    (again,) = services.outbound_claim(now=later)

    assert again.pk == email.pk and again.attempts == 2
    assert again.lease_until == later + timedelta(seconds=20)
    # A sender picks it up: sent once, the notification recorded as emailed.
    OutboundEmail.objects.filter(pk=email.pk).update(lease_until=timezone.now())
    result = services.outbound_send_batch()
    assert (result.claimed, result.sent) == (1, 1)
    email.refresh_from_db()
    assert email.state == "sent" and email.sent_at is not None and email.attempts == 3
    assert Notification.objects.get(pk=email.notification_id).email_state == "sent"
    assert sink.total == 1


def test_each_email_is_recorded_sent_right_after_the_server_accepted_it(sink):
    emails = _owed(4)
    seen: list[list[str]] = []

    def at_the_sink(mid: str, recipients: list[str]) -> None:
        # Runs while the sender waits for this message's "250": what is committed by now.
        with _other_connection() as other, other.cursor() as cursor:
            cursor.execute(
                "SELECT state FROM notifications_outboundemail WHERE id = ANY(%s) ORDER BY id",
                [[e.pk for e in emails]],
            )
            seen.append([row[0] for row in cursor.fetchall()])

    sink.on_message = at_the_sink
    result = services.outbound_send_batch(limit=10)

    assert (result.claimed, result.sent) == (4, 4)
    # When message k reached the server, the k-1 before it were already committed as sent.
    assert seen == [
        ["sending", "sending", "sending", "sending"],
        ["sent", "sending", "sending", "sending"],
        ["sent", "sent", "sending", "sending"],
        ["sent", "sent", "sent", "sending"],
    ]
    assert set(OutboundEmail.objects.values_list("state", flat=True)) == {"sent"}


def test_the_message_id_is_derived_from_the_row_and_the_same_on_every_attempt(sink, settings):
    settings.SITE_URL = "https://cocreate.example.org"
    (email,) = _owed(1)
    expected = message_id(email_id=email.pk, created_at=email.created_at)
    assert re.fullmatch(rf"<email-{email.pk}\.[0-9a-f]{{16}}@cocreate\.example\.org>", expected)

    # First attempt refused; second sent; then a crash after the send, before the record:
    # the row is "sending" with its lease run out, and is sent once more.
    sink.refuse = {email.recipient.email}
    assert services.outbound_send_batch().failed == 1
    sink.refuse = set()
    OutboundEmail.objects.filter(pk=email.pk).update(lease_until=timezone.now())
    assert services.outbound_send_batch().sent == 1
    # (The record is one transaction: undone, the notification is owed again too.)
    OutboundEmail.objects.filter(pk=email.pk).update(state="sending", lease_until=timezone.now())
    Notification.objects.filter(pk=email.notification_id).update(email_state="now")
    assert services.outbound_send_batch().sent == 1

    assert sink.counts() == {expected: 2}  # one Message-ID: the receiver drops the repeat
    assert sink.recipients() == {email.recipient.email}
    # Another row has another Message-ID, even with the same id in another database.
    assert message_id(email_id=email.pk, created_at=email.created_at + timedelta(1)) != expected


def test_failures_back_off_and_end_failed_after_the_last_attempt(sink, settings):
    settings.NOTIFICATIONS_EMAIL_MAX_ATTEMPTS = 3
    (email,) = _owed(1)
    sink.refuse = {email.recipient.email}
    waits = []
    for _attempt in range(3):
        before = timezone.now()
        result = services.outbound_send_batch()
        assert (result.claimed, result.failed) == (1, 1)
        email.refresh_from_db()
        if email.state == "due":
            waits.append(round((email.lease_until - before).total_seconds()))
            # Not claimable before its time; then (the test moves the time) it is.
            assert services.outbound_claim() == []
            OutboundEmail.objects.filter(pk=email.pk).update(lease_until=timezone.now())

    assert waits == [30, 60]
    assert email.state == "failed" and email.attempts == 3 and email.lease_until is None
    assert "550" in email.last_error
    assert services.outbound_claim() == []
    assert sink.total == 0
    # The notification is still owed by email (nothing was sent) and still in the app.
    assert Notification.objects.get(pk=email.notification_id).email_state == "now"


def test_a_sender_that_died_on_its_last_attempt_leaves_the_row_failed(sink, settings):
    settings.NOTIFICATIONS_EMAIL_MAX_ATTEMPTS = 2
    (email,) = _owed(1)
    OutboundEmail.objects.filter(pk=email.pk).update(
        state="sending", attempts=2, lease_until=timezone.now() - timedelta(seconds=1)
    )
    assert services.outbound_claim() == []
    email.refresh_from_db()
    assert email.state == "failed" and "sender died" in email.last_error


def test_one_smtp_connection_per_batch(sink):
    _owed(5)
    assert services.outbound_send_batch(limit=5).sent == 5
    assert sink.connections == 1 and sink.total == 5


def test_an_email_turned_off_before_it_went_is_cancelled_not_sent(sink):
    (email,) = _owed(1)
    services.preference_set(user=email.recipient, topic="mentions", channel="off")
    result = services.outbound_send_batch()
    assert (result.claimed, result.cancelled, result.sent) == (1, 1, 0)
    email.refresh_from_db()
    assert email.state == "cancelled" and sink.total == 0


def test_notify_queues_the_emails_in_its_own_transaction(sink, django_capture_on_commit_callbacks):
    lab = make_lab()
    with transaction.atomic():
        lab.mention()
        # Committed but never handed to Celery (as with the broker down): the event waits.
        connection.run_on_commit.clear()
    (event,) = unprocessed_events()
    with pytest.raises(RuntimeError), transaction.atomic():
        assert process(event.pk)
        assert OutboundEmail.objects.filter(recipient=lab.peer, state="due").exists()
        raise RuntimeError("rolled back")
    assert not Notification.objects.exists() and not OutboundEmail.objects.exists()

    with delivered(django_capture_on_commit_callbacks):  # a sender is queued after commit
        assert process(event.pk)
    email = OutboundEmail.objects.get()
    assert email.kind == "notification" and email.recipient_id == lab.peer.pk
    assert email.state == "sent" and sink.recipients() == {lab.peer.email}


def _waiting(user, text: str, frequency: str = "daily") -> None:
    Notification.objects.create(
        recipient=user, kind="comment.reply", text=text, email_state=frequency
    )


def test_one_digest_per_member_and_period(sink):
    reader = UserFactory(timezone="Europe/Berlin")
    _waiting(reader, "A")
    monday = datetime(2030, 1, 7, 7, 5, tzinfo=UTC)  # 08:05 in Berlin

    # Queued, and sent by this process right after its commit.
    assert services.digest_queue(user_id=reader.pk, frequency="daily", now=monday) == 1
    (digest,) = OutboundEmail.objects.filter(kind="digest")
    assert digest.period_key == "daily:2030-01-07" and digest.state == "sent"
    assert sink.total == 1

    # Something new waits, but this period's digest went: nothing more today.
    _waiting(reader, "B")
    assert services.digest_queue(user_id=reader.pk, frequency="daily", now=monday) == 0
    # The database itself refuses a second one.
    with pytest.raises(IntegrityError), transaction.atomic():
        OutboundEmail.objects.create(recipient=reader, kind="digest", period_key="daily:2030-01-07")
    # A weekly digest is another period; the next day is another period.
    _waiting(reader, "C", "weekly")
    assert services.digest_queue(user_id=reader.pk, frequency="weekly", now=monday) == 1
    tuesday = monday + timedelta(days=1)
    assert services.digest_queue(user_id=reader.pk, frequency="daily", now=tuesday) == 1
    assert sorted(OutboundEmail.objects.values_list("period_key", "state")) == [
        ("daily:2030-01-07", "sent"),
        ("daily:2030-01-08", "sent"),
        ("weekly:2030-W02", "sent"),
    ]
    assert sink.total == 3
    assert set(Notification.objects.values_list("email_state", flat=True)) == {"sent"}


def test_a_digest_tells_only_of_what_still_waits_when_it_goes(sink):
    """Two digests decided for the same notification (one delayed past the next period): the
    first to go tells of it, the second finds nothing left and is cancelled."""
    reader = UserFactory(timezone="UTC")
    _waiting(reader, "A")
    notification_ids = list(Notification.objects.values_list("pk", flat=True))
    for day in ("daily:2030-01-07", "daily:2030-01-08"):
        OutboundEmail.objects.create(
            recipient=reader,
            kind="digest",
            period_key=day,
            params={"frequency": "daily", "notification_ids": notification_ids},
        )
    services.outbound_send_due()
    assert dict(OutboundEmail.objects.values_list("period_key", "state")) == {
        "daily:2030-01-07": "sent",
        "daily:2030-01-08": "cancelled",
    }
    assert sink.total == 1


def test_the_relay_queues_senders_for_what_is_due_or_stuck_only(sink):
    due, stuck, backing_off = _owed(3)
    OutboundEmail.objects.filter(pk=stuck.pk).update(
        state="sending", attempts=1, lease_until=timezone.now() - timedelta(seconds=1)
    )
    OutboundEmail.objects.filter(pk=backing_off.pk).update(
        attempts=1, lease_until=timezone.now() + timedelta(minutes=5)
    )
    assert outbound_claimable_count(limit=100) == 2

    assert tasks.relay_emails.apply().result == 1  # one sender (in-process) for one batch

    assert sink.recipients() == {due.recipient.email, stuck.recipient.email}
    assert outbound_claimable_count(limit=100) == 0
    assert tasks.relay_emails.apply().result == 0
