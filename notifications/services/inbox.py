"""A member's inbox: reading notifications, and recording those that went out by email."""

from datetime import datetime

from django.utils import timezone

from accounts.models import User
from cocreate import caching

from ..models import Notification


def notification_mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one notification (or, without an id, all of them) read. Returns how many changed."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    changed = qs.update(read_at=timezone.now())
    if changed:
        caching.changed(Notification(recipient_id=user.pk), fields=["read_at"])
    return changed


def notifications_mark_emailed(*, notification_ids: list[int], at: datetime | None = None) -> int:
    """Record that these notifications went out by email (immediately or in a digest), those
    still owed only (one turned off meanwhile stays as it is).

    Call in the transaction that records the email as sent (``services.outbound``)."""
    return Notification.objects.filter(  # cache: not shown
        pk__in=notification_ids,
        email_state__in=[
            Notification.EmailState.NOW,
            Notification.EmailState.DAILY,
            Notification.EmailState.WEEKLY,
        ],
    ).update(email_state=Notification.EmailState.SENT, emailed_at=at or timezone.now())
