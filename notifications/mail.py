"""One notification email, built: absolute links, the one-click unsubscribe link and headers
(RFC 8058), a stable Message-ID, the member's language, and the local hour that decides when
digests and impact reminders go out. Used by the email queue (``services.outbound``, through
``emails``) and the selectors that pick who is due."""

import zoneinfo
from datetime import datetime
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import salted_hmac

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


MESSAGE_ID_SALT = "cocreate.notifications.message-id"


def message_domain() -> str:
    """The domain of every Message-ID: the site's host name, else the sender's domain."""
    host = urlsplit(settings.SITE_URL).hostname or ""
    if host:
        return host
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return address.rpartition("@")[2] or "cocreate.invalid"


def message_id(*, email_id: int, created_at: datetime) -> str:
    """The Message-ID of queued email ``email_id``: the same on every attempt to send it (so
    receiving systems drop a repeat), different for every row, even across databases that
    reuse ids (the row's creation time is in the hash)."""
    digest = salted_hmac(MESSAGE_ID_SALT, f"{email_id}:{created_at.isoformat()}").hexdigest()
    return f"<email-{email_id}.{digest[:16]}@{message_domain()}>"


def build_email(
    *,
    user: User,
    subject: str,
    template: str,
    context: dict,
    topic: str,
    message_id: str | None = None,
) -> EmailMultiAlternatives:
    """The email ``notifications/email/<template>.txt`` and ``.html`` for ``user``, in their
    language, with the links every email carries, one-click unsubscribe from ``topic`` and,
    when given, ``message_id`` as its Message-ID. Built, not sent."""
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
    headers = {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    if message_id:
        headers["Message-ID"] = message_id
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message


def _local(tz_name: str, now: datetime) -> datetime:
    try:
        return now.astimezone(zoneinfo.ZoneInfo(tz_name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return now.astimezone(zoneinfo.ZoneInfo("UTC"))


def local_hour(tz_name: str, now: datetime) -> tuple[int, int]:
    """(hour, weekday) of ``now`` in the time zone ``tz_name`` (UTC if it is unknown)."""
    local = _local(tz_name, now)
    return local.hour, local.weekday()


def local_period(tz_name: str, now: datetime, frequency: str) -> str:
    """The member's period that ``now`` falls in, as a key: ``daily:2030-01-07`` (their local
    date) or ``weekly:2030-W02`` (their ISO week). One digest, one reminder per key."""
    local = _local(tz_name, now)
    if frequency == "weekly":
        year, week, _day = local.isocalendar()
        return f"weekly:{year}-W{week:02d}"
    return f"daily:{local.date().isoformat()}"
