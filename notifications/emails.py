"""Notification emails: immediate ones per event and daily/weekly digests per member, each
with a one-click unsubscribe link (RFC 8058 List-Unsubscribe and List-Unsubscribe-Post; the
message itself is built in ``mail``)."""

import logging
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import ngettext

from accounts.models import User
from communities.models import Community

from .mail import DIGEST_HOUR, absolute_url, local_hour, send_email
from .models import Notification
from .services import notifications_mark_emailed
from .topics import topic_for

logger = logging.getLogger(__name__)
DIGEST_BATCH = 200


def send_due_emails(
    *, event_id: int, after_user_id: int | None = None, upto_user_id: int | None = None
) -> int:
    """Email each recipient whose notification for this event is due now (only user ids in
    (after, upto] when given: one fan-out chunk); at most once: the rows are locked (SKIP
    LOCKED) and marked sent in the same transaction as the send."""
    sent = 0
    with transaction.atomic():
        qs = Notification.objects.filter(event_id=event_id, email_state=Notification.EmailState.NOW)
        if after_user_id is not None:
            qs = qs.filter(recipient_id__gt=after_user_id)
        if upto_user_id is not None:
            qs = qs.filter(recipient_id__lte=upto_user_id)
        due = list(qs.select_for_update(skip_locked=True, of=("self",)).select_related("recipient"))
        for notification in due:
            topic = topic_for(notification.kind)
            if topic is None:  # no topic to unsubscribe from: leave it in the app only
                continue
            send_email(
                user=notification.recipient,
                subject=f"[Cocreate] {notification.text}"[:150],
                template="notification",
                context={"notification": notification, "url": absolute_url(notification.url)},
                topic=topic,
            )
            sent += 1
        notifications_mark_emailed(notification_ids=[n.pk for n in due])
    return sent


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


def send_digest(*, user_id: int, frequency: str) -> int:
    """One email with every waiting notification of this frequency, grouped by community;
    nothing is sent when nothing waits. Returns the number of notifications included."""
    with transaction.atomic():
        items = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(recipient_id=user_id, email_state=frequency)
            .order_by("community_id", "created_at", "id")
        )
        if not items:
            return 0
        user = User.objects.get(pk=user_id)
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
        send_email(
            user=user,
            subject=subject,
            template="digest",
            context={
                "items": items,
                "groups": _group_by_community(items),
                "frequency": frequency,
            },
            topic=f"digest_{frequency}",
        )
        notifications_mark_emailed(notification_ids=[n.pk for n in items])
    return len(items)
