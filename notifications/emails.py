"""Notification emails: immediate ones per event and daily/weekly digests per member, each
with a one-click unsubscribe link (RFC 8058 List-Unsubscribe and List-Unsubscribe-Post)."""

import logging
import zoneinfo
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from .models import Notification
from .services import notifications_mark_emailed

logger = logging.getLogger(__name__)
UNSUBSCRIBE_SALT = "cocreate.notifications.unsubscribe"
DIGEST_HOUR = 8  # digests go out at 08:00 in each member's own time zone
DIGEST_BATCH = 200


def unsubscribe_token(*, user_id: int, topic: str) -> str:
    return signing.dumps({"u": user_id, "t": topic}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=60 * 60 * 24 * 180)
    except signing.BadSignature:
        return None
    return int(data["u"]), str(data["t"])


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path if path.startswith("/") else path


def _send(*, user, subject: str, template: str, context: dict, topic: str) -> None:
    unsubscribe = _absolute(
        reverse(
            "notifications:unsubscribe",
            kwargs={"token": unsubscribe_token(user_id=user.pk, topic=topic)},
        )
    )
    context = {
        **context,
        "user": user,
        "unsubscribe_url": unsubscribe,
        "site_url": settings.SITE_URL,
        "preferences_url": _absolute(reverse("notifications:preferences")),
    }
    with translation.override(user.locale or settings.LANGUAGE_CODE):
        text = render_to_string(f"notifications/email/{template}.txt", context)
        html = render_to_string(f"notifications/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    message.send()


def send_due_emails(
    *, event_id: int, after_user_id: int | None = None, upto_user_id: int | None = None
) -> int:
    """Email each recipient whose notification for this event is due now (only user ids in
    (after, upto] when given: one fan-out chunk); at most once: the rows are locked (SKIP
    LOCKED) and marked sent in the same transaction as the send."""
    from .topics import topic_for

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
            _send(
                user=notification.recipient,
                subject=f"[Cocreate] {notification.text}"[:150],
                template="notification",
                context={"notification": notification, "url": _absolute(notification.url)},
                topic=topic,
            )
            sent += 1
        notifications_mark_emailed(notification_ids=[n.pk for n in due])
    return sent


def _group_by_community(items: list[Notification]) -> list[dict]:
    """Digest sections, one per community (named), in the order the items came."""
    from communities.models import Community

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


def _local_hour(tz_name: str, now: datetime) -> tuple[int, int]:
    try:
        local = now.astimezone(zoneinfo.ZoneInfo(tz_name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        local = now.astimezone(zoneinfo.ZoneInfo("UTC"))
    return local.hour, local.weekday()


def digest_recipients(*, frequency: str, now: datetime | None = None) -> list[int]:
    """Members with digest notifications waiting whose local time is the digest hour (and,
    for weekly digests, Monday). Beat calls this hourly, so each member gets one per period."""
    from accounts.models import User

    now = now or timezone.now()
    waiting = (
        Notification.objects.filter(email_state=frequency)
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    due = []
    for user_id, tz_name in User.objects.filter(pk__in=waiting).values_list("id", "timezone"):
        hour, weekday = _local_hour(tz_name, now)
        if hour == DIGEST_HOUR and (frequency == "daily" or weekday == 0):
            due.append(user_id)
    return due


def send_digest(*, user_id: int, frequency: str) -> int:
    """One email with every waiting notification of this frequency, grouped by community;
    nothing is sent when nothing waits. Returns the number of notifications included."""
    from accounts.models import User

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
            item.absolute_url = _absolute(item.url)
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
        _send(
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
