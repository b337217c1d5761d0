"""Digests: the decision that a member is owed this period's digest, written as a queued email
(``services.outbound``) with the notifications it will tell of."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User

from ..mail import local_period
from ..models import Notification, OutboundEmail
from .outbound import outbound_enqueue


def digest_queue(*, user_id: int, frequency: str, now: datetime | None = None) -> int:
    """Queue the member's ``frequency`` digest for the period ``now`` falls in (their own local
    day or ISO week) with every notification waiting for it, and send it right after commit.
    At most one per member and period (a unique constraint); nothing when nothing waits.
    Returns the number of notifications it will tell of (0 when none, or already queued).

    The notifications stay waiting until the email is sent (``outbound_mark_sent`` records
    them), so a digest that never goes out leaves them for the next one."""
    now = now or timezone.now()
    with transaction.atomic():
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is None:
            return 0
        ids = list(
            Notification.objects.filter(recipient_id=user_id, email_state=frequency)
            .order_by("id")
            .values_list("pk", flat=True)
        )
        if not ids:
            return 0
        queued = outbound_enqueue(
            recipient_id=user_id,
            kind=OutboundEmail.Kind.DIGEST,
            period_key=local_period(user.timezone, now, frequency),
            params={"frequency": frequency, "notification_ids": ids},
        )
    return len(ids) if queued is not None else 0
