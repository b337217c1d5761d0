"""One notification email, built and sent: absolute links, the one-click unsubscribe link and
headers (RFC 8058), the member's language, and the local hour that decides when digests and
impact reminders go out. Used by the notification emails (``emails``), the impact reminders
(``services.impact``) and the selectors that pick who is due."""

import zoneinfo
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import User

UNSUBSCRIBE_SALT = "cocreate.notifications.unsubscribe"
DIGEST_HOUR = 8  # digests go out at 08:00 in each member's own time zone


def unsubscribe_token(*, user_id: int, topic: str) -> str:
    """A signed token that switches ``topic`` off for the member, without signing in."""
    return signing.dumps({"u": user_id, "t": topic}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """(user id, topic) of a token from ``unsubscribe_token``, or None if forged or too old."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=60 * 60 * 24 * 180)
    except signing.BadSignature:
        return None
    return int(data["u"]), str(data["t"])


def absolute_url(path: str) -> str:
    """A site path as a link that works in an email (``SITE_URL`` in front)."""
    return settings.SITE_URL.rstrip("/") + path if path.startswith("/") else path


def send_email(*, user: User, subject: str, template: str, context: dict, topic: str) -> None:
    """Send ``user`` the email ``notifications/email/<template>.txt`` and ``.html`` in their
    language, with the links every email carries and one-click unsubscribe from ``topic``."""
    unsubscribe = absolute_url(
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
        "preferences_url": absolute_url(reverse("notifications:preferences")),
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


def local_hour(tz_name: str, now: datetime) -> tuple[int, int]:
    """(hour, weekday) of ``now`` in the time zone ``tz_name`` (UTC if it is unknown)."""
    try:
        local = now.astimezone(zoneinfo.ZoneInfo(tz_name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        local = now.astimezone(zoneinfo.ZoneInfo("UTC"))
    return local.hour, local.weekday()
