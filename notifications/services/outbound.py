"""The email queue: one ``OutboundEmail`` row per email, written in the transaction that decided
the email is owed; senders claim a few rows at a time and send them one by one.

How an email goes out, and what a crash costs:

- ``outbound_claim`` takes up to a batch of rows that are due (or "sending" with a lease run
  out: their sender died) with ``SELECT … FOR UPDATE SKIP LOCKED``, and commits them as
  "sending" with a lease (``NOTIFICATIONS_EMAIL_LEASE`` seconds) and one more attempt. Two
  senders never claim the same row; a dead sender's rows come back when their lease ends.
- ``outbound_send_batch`` sends the claimed rows through one SMTP connection and marks each
  one sent in its own short transaction right after the server accepted it. A worker killed
  mid-batch has sent, and not yet recorded, at most the one message in flight: that one is sent
  again, with the same Message-ID (``mail.message_id``) so the receiving side can drop it. A
  sender stops starting new messages once its lease is about to end, and gives the rest back.
- A failure puts the row back to due with an exponential backoff (``lease_until`` is then the
  earliest next try); after ``NOTIFICATIONS_EMAIL_MAX_ATTEMPTS`` attempts it is failed.
- Nothing here needs the broker: a sender task is queued after commit to send soon, and the
  relay (``tasks.relay_emails``, beat) queues senders for whatever is due or stuck.
"""

import logging
import smtplib
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from ..emails import compose
from ..models import Notification, OutboundEmail
from ..topics import topic_for
from .inbox import notifications_mark_emailed

logger = logging.getLogger(__name__)

ERROR_LIMIT = 2000  # characters of the last error kept on a row
BACKOFF_BASE = 30  # seconds before the second attempt; doubles with each failure
BACKOFF_MAX = 3600


@dataclass(frozen=True)
class QueueSettings:
    batch: int  # rows a sender claims at a time
    lease: float  # seconds a claim lasts
    max_attempts: int
    budget: float  # seconds a sender task keeps claiming batches before it hands over


def queue_settings() -> QueueSettings:
    """The email queue's knobs (``NOTIFICATIONS_EMAIL_*`` settings)."""
    return QueueSettings(
        batch=max(1, int(getattr(settings, "NOTIFICATIONS_EMAIL_BATCH", 20))),
        lease=max(1.0, float(getattr(settings, "NOTIFICATIONS_EMAIL_LEASE", 20))),
        max_attempts=max(1, int(getattr(settings, "NOTIFICATIONS_EMAIL_MAX_ATTEMPTS", 8))),
        budget=max(0.0, float(getattr(settings, "NOTIFICATIONS_EMAIL_SEND_BUDGET", 10))),
    )


# --- Enqueue (inside the deciding transaction) -------------------------------------------------


def outbound_enqueue_notifications(*, event_ids: list[int], recipient_ids: list[int]) -> int:
    """Queue the immediate email of every notification of these events to these recipients
    whose email is owed now (``email_state`` "now") and has a topic to unsubscribe from. Call in
    the transaction that inserted the notifications. Queuing again adds nothing (one email per
    notification, a unique constraint). Returns how many rows were asked for."""
    if not event_ids or not recipient_ids:
        return 0
    owed = [
        (pk, recipient_id)
        for pk, recipient_id, kind in Notification.objects.filter(
            event_id__in=event_ids,
            recipient_id__in=recipient_ids,
            email_state=Notification.EmailState.NOW,
        ).values_list("pk", "recipient_id", "kind")
        if topic_for(kind) is not None
    ]
    now = timezone.now()
    OutboundEmail.objects.bulk_create(
        [
            OutboundEmail(
                recipient_id=recipient_id,
                kind=OutboundEmail.Kind.NOTIFICATION,
                notification_id=pk,
                created_at=now,
            )
            for pk, recipient_id in owed
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    return len(owed)


def outbound_enqueue(
    *,
    recipient_id: int,
    kind: str,
    period_key: str = "",
    params: dict | None = None,
    notification_id: int | None = None,
) -> OutboundEmail | None:
    """Queue one email (a digest or an impact reminder) in the caller's transaction, and send
    it from this process right after commit (the relay sends it if this process dies first).
    Returns None if the member already has this kind of email for ``period_key``."""
    try:
        with transaction.atomic():  # a savepoint: a repeat must not break the caller's transaction
            row = OutboundEmail.objects.create(
                recipient_id=recipient_id,
                kind=kind,
                period_key=period_key,
                params=params or {},
                notification_id=notification_id,
            )
    except IntegrityError:
        return None
    pk = row.pk
    transaction.on_commit(lambda: outbound_send_batch(ids=[pk]), robust=True)
    return row


# --- Claim, send, record -------------------------------------------------------------------


def outbound_claim(
    *, limit: int | None = None, ids: list[int] | None = None, now: datetime | None = None
) -> list[OutboundEmail]:
    """Claim up to ``limit`` rows (only among ``ids`` when given) that are due, or whose
    sender's lease has run out, skipping rows another sender is claiming this instant. Commits
    them as "sending" with a fresh lease and one more attempt, and returns them with their
    recipient and notification loaded, oldest first. A row whose lease ran out with no
    attempt left is failed instead."""
    conf = queue_settings()
    now = now or timezone.now()
    with transaction.atomic():
        qs = OutboundEmail.objects.filter(
            Q(lease_until__isnull=True) | Q(lease_until__lte=now),
            state__in=[OutboundEmail.State.DUE, OutboundEmail.State.SENDING],
        )
        if ids is not None:
            qs = qs.filter(pk__in=ids)
        picked = list(
            qs.order_by("id")
            .select_for_update(skip_locked=True)
            .values_list("pk", "attempts")[: limit or conf.batch]
        )
        spent = [pk for pk, attempts in picked if attempts >= conf.max_attempts]
        live = [pk for pk, attempts in picked if attempts < conf.max_attempts]
        if spent:
            OutboundEmail.objects.filter(pk__in=spent).update(
                state=OutboundEmail.State.FAILED,
                lease_until=None,
                last_error="Stopped while sending, with no attempt left (a sender died).",
            )
        if not live:
            return []
        OutboundEmail.objects.filter(pk__in=live).update(
            state=OutboundEmail.State.SENDING,
            attempts=F("attempts") + 1,
            lease_until=now + timedelta(seconds=conf.lease),
        )
        return list(
            OutboundEmail.objects.filter(pk__in=live)
            .select_related("recipient", "notification")
            .order_by("id")
        )


def outbound_mark_sent(*, email: OutboundEmail, notification_ids: list[int]) -> None:
    """Record that the SMTP server accepted ``email``: the row is sent, and so are the
    notifications it told of (those still owed). One short transaction, right after the send.

    On PostgreSQL it is one statement, committed without waiting for the disk flush
    (``synchronous_commit`` off for this transaction only): a killed worker loses nothing by
    it (the commit is the server's), and only a crash of PostgreSQL itself could forget the
    last fraction of a second of these records, whose emails would then go again, with their
    Message-ID. Waiting for the flush of each one would cost more than sending the email."""
    now = timezone.now()
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_MARK_SENT_SQL, [now, email.pk, now, notification_ids])
    else:
        with transaction.atomic():
            OutboundEmail.objects.filter(pk=email.pk).update(
                state=OutboundEmail.State.SENT, sent_at=now, lease_until=None, last_error=""
            )
            if notification_ids:
                notifications_mark_emailed(notification_ids=notification_ids, at=now)
    email.state, email.sent_at, email.lease_until = OutboundEmail.State.SENT, now, None


# Table names are the models' own (no input reaches this text); the values are parameters.
_MARK_SENT_SQL = (
    "SET LOCAL synchronous_commit TO OFF; "  # noqa: S608 — only the models' table names
    f"WITH sent AS (UPDATE {OutboundEmail._meta.db_table} SET state = 'sent', sent_at = %s, "
    "lease_until = NULL, last_error = '' WHERE id = %s) "
    f"UPDATE {Notification._meta.db_table} SET email_state = 'sent', emailed_at = %s "
    "WHERE id = ANY(%s) AND email_state IN ('now', 'daily', 'weekly')"
)


def backoff_seconds(attempts: int) -> int:
    """Seconds to wait after the ``attempts``-th failed attempt: 30, 60, 120, … up to an hour."""
    return min(BACKOFF_MAX, BACKOFF_BASE * 2 ** max(0, attempts - 1))


def outbound_mark_failed(
    *, email: OutboundEmail, error: BaseException | str, now: datetime | None = None
) -> None:
    """Record a failed attempt: due again after the backoff, or failed for good once it had
    ``NOTIFICATIONS_EMAIL_MAX_ATTEMPTS`` attempts. Call on a row this sender claimed."""
    now = now or timezone.now()
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    if email.attempts >= queue_settings().max_attempts:
        state, lease_until = OutboundEmail.State.FAILED, None
    else:
        state = OutboundEmail.State.DUE
        lease_until = now + timedelta(seconds=backoff_seconds(email.attempts))
    OutboundEmail.objects.filter(pk=email.pk).update(
        state=state, lease_until=lease_until, last_error=text[:ERROR_LIMIT]
    )
    email.state, email.lease_until, email.last_error = state, lease_until, text[:ERROR_LIMIT]


def outbound_cancel(*, email: OutboundEmail) -> None:
    """Nothing is left to send (see ``emails.compose``): the row is done, unsent."""
    OutboundEmail.objects.filter(pk=email.pk).update(
        state=OutboundEmail.State.CANCELLED, lease_until=None
    )
    email.state, email.lease_until = OutboundEmail.State.CANCELLED, None


def _release(emails: list[OutboundEmail]) -> None:
    """Give claimed rows back untried (due now, the attempt not counted)."""
    if emails:
        OutboundEmail.objects.filter(
            pk__in=[e.pk for e in emails], state=OutboundEmail.State.SENDING
        ).update(state=OutboundEmail.State.DUE, lease_until=None, attempts=F("attempts") - 1)


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    cancelled: int = 0
    released: int = 0


def outbound_send_batch(*, limit: int | None = None, ids: list[int] | None = None) -> BatchResult:
    """Claim a batch (``outbound_claim``) and send it through one SMTP connection, recording
    each email as sent right after the server accepted it. A message that cannot be built or
    is refused is recorded as failed (and retried later); a broken connection is opened again
    for the next message. Stops starting new messages a margin before the lease ends (a third
    of it, at most 5 s) and gives the rest back, so no other sender can claim a row this one is
    still sending."""
    conf = queue_settings()
    started = time.monotonic()
    emails = outbound_claim(limit=limit, ids=ids)
    result = BatchResult(claimed=len(emails))
    if not emails:
        return result
    deadline = started + conf.lease - min(5.0, conf.lease / 3)
    connection = get_connection()
    opened = False
    try:
        for index, email in enumerate(emails):
            if time.monotonic() > deadline:
                _release(emails[index:])
                result.released = len(emails) - index
                break
            try:
                composed = compose(email)
            except Exception as exc:
                logger.exception("email %s could not be built", email.pk)
                outbound_mark_failed(email=email, error=exc)
                result.failed += 1
                continue
            if composed is None:
                outbound_cancel(email=email)
                result.cancelled += 1
                continue
            try:
                if not opened:
                    connection.open()
                    opened = True
                if connection.send_messages([composed.message]) != 1:
                    raise smtplib.SMTPException("the mail server accepted nothing")
            except Exception as exc:
                logger.warning("email %s not sent: %s", email.pk, exc)
                outbound_mark_failed(email=email, error=exc)
                result.failed += 1
                connection.close()  # whatever state it is in; the next message opens a new one
                opened = False
                continue
            outbound_mark_sent(email=email, notification_ids=composed.notification_ids)
            result.sent += 1
    finally:
        if opened:
            connection.close()
    return result


def outbound_send_due(*, budget_seconds: float | None = None) -> tuple[int, bool]:
    """Send batch after batch while rows are claimable, for at most ``budget_seconds`` (the
    ``NOTIFICATIONS_EMAIL_SEND_BUDGET``; other tasks wait behind a sender). Returns (emails
    sent, whether the last batch was full: more may be waiting)."""
    budget = queue_settings().budget if budget_seconds is None else budget_seconds
    batch = queue_settings().batch
    stop = time.monotonic() + budget
    sent = 0
    while True:
        result = outbound_send_batch(limit=batch)
        sent += result.sent
        more = result.claimed >= batch
        if not more or time.monotonic() >= stop:
            return sent, more
