"""What each queued email says (``models.OutboundEmail``): an immediate notification email, a
digest of the waiting notifications grouped by community, an impact reminder; and who is due a
digest. Reads only: the queue (``services.outbound``) claims, sends and records. The message
itself (links, one-click unsubscribe, Message-ID) is built in ``mail``."""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import ngettext

from accounts.models import User
from communities.models import Community

from .mail import DIGEST_HOUR, absolute_url, build_email, local_hour, message_id
from .models import Notification, OutboundEmail
from .selectors import impact_report
from .topics import topic_for

logger = logging.getLogger(__name__)


@dataclass
class Composed:
    """A queued email's message, and the notifications it tells of (recorded as emailed once
    the SMTP server accepted it)."""

    message: EmailMultiAlternatives
    notification_ids: list[int] = field(default_factory=list)


def compose(email: OutboundEmail) -> Composed | None:
    """The message for a queued email (``recipient`` and ``notification`` loaded), with its
    stable Message-ID; None when nothing is left to send: the member is gone or has no
    address, the notification's email is no longer owed (they turned the topic off), or none
    of a digest's notifications still waits."""
    user = email.recipient
    if not user.is_active or not user.email:
        return None
    mid = message_id(email_id=email.pk, created_at=email.created_at)
    if email.kind == OutboundEmail.Kind.DIGEST:
        return _digest(email, user, mid)
    notification = email.notification
    if notification is None or notification.email_state != Notification.EmailState.NOW:
        return None
    topic = topic_for(notification.kind)
    if topic is None:  # no topic to unsubscribe from: leave it in the app only
        return None
    url = absolute_url(notification.url)
    if email.kind == OutboundEmail.Kind.IMPACT:
        since = parse_datetime(email.params["since"])
        until = parse_datetime(email.params["until"])
        assert since is not None and until is not None  # written by impact_reminder_send
        message = build_email(
            user=user,
            subject=f"[Cocreate] {notification.text}"[:150],
            template="impact",
            context={
                "report": impact_report(user=user, since=since, until=until),
                "url": url,
                "frequency": email.params["frequency"],
            },
            topic="impact",
            message_id=mid,
        )
    else:
        message = build_email(
            user=user,
            subject=f"[Cocreate] {notification.text}"[:150],
            template="notification",
            context={"notification": notification, "url": url},
            topic=topic,
            message_id=mid,
        )
    return Composed(message=message, notification_ids=[notification.pk])


def _digest(email: OutboundEmail, user: User, mid: str) -> Composed | None:
    """Every notification the digest was decided for that still waits for it (one sent in an
    earlier digest, or turned off since, is left out), grouped by community."""
    frequency = email.params["frequency"]
    items = list(
        Notification.objects.filter(
            pk__in=email.params["notification_ids"], recipient=user, email_state=frequency
        ).order_by("community_id", "created_at", "id")
    )
    if not items:
        return None
    for item in items:
        item.absolute_url = absolute_url(item.url)
    with translation.override(user.locale or settings.LANGUAGE_CODE):
        subject = (
            ngettext(
                "[Cocreate] Your daily digest: %(n)d update",
                "[Cocreate] Your daily digest: %(n)d updates",
                len(items),
            )
            if frequency == "daily"
            else ngettext(
                "[Cocreate] Your weekly digest: %(n)d update",
                "[Cocreate] Your weekly digest: %(n)d updates",
                len(items),
            )
        ) % {"n": len(items)}
    message = build_email(
        user=user,
        subject=subject,
        template="digest",
        context={"items": items, "groups": _group_by_community(items), "frequency": frequency},
        topic=f"digest_{frequency}",
        message_id=mid,
    )
    return Composed(message=message, notification_ids=[i.pk for i in items])


def _group_by_community(items: list[Notification]) -> list[dict]:
    """Digest sections, one per community (named), in the order the items came."""
    names: dict[int | None, str] = dict(
        Community.objects.filter(
            pk__in={i.community_id for i in items if i.community_id}
        ).values_list("pk", "name")
    )
    groups: dict[int | None, dict] = {}
    for item in items:
        group = groups.setdefault(
            item.community_id, {"name": names.get(item.community_id, ""), "items": []}
        )
        group["items"].append(item)
    return list(groups.values())


def digest_recipients(*, frequency: str, now: datetime | None = None) -> list[int]:
    """Members with digest notifications waiting whose local time is the digest hour (and,
    for weekly digests, Monday). Beat calls this hourly, so each member gets one per period."""
    now = now or timezone.now()
    waiting = (
        Notification.objects.filter(email_state=frequency)
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    due = []
    for user_id, tz_name in User.objects.filter(pk__in=waiting).values_list("id", "timezone"):
        hour, weekday = local_hour(tz_name, now)
        if hour == DIGEST_HOUR and (frequency == "daily" or weekday == 0):
            due.append(user_id)
    return due
