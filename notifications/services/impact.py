"""Impact reminders: what a member's knowledge did this period, once per period."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User

from ..impact import PERIODS, impact_frequency
from ..mail import local_period
from ..models import Channel, Notification, OutboundEmail
from ..selectors import channel_for, impact_report
from ..topics import IMPACT_KIND
from .outbound import outbound_enqueue


def impact_reminder_send(*, user_id: int, frequency: str, now: datetime | None = None) -> bool:
    """Build and deliver one member's reminder for the period ending ``now``: an in-app
    notification linking to the impact page and, unless the member chose in-app only, a queued
    email (sent right after commit; the relay sends it if this process dies first). At most
    once per period (the member's row is locked, the last reminder checked, and one email per
    member and period is a unique constraint); nothing when nothing happened or the topic is
    off. Returns whether a reminder was made."""
    now = now or timezone.now()
    period = PERIODS[frequency]
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
        if user is None:
            return False
        channel = channel_for(user=user, topic="impact")
        if impact_frequency(channel) != frequency:
            return False
        # An hour of slack: beat runs hourly, so the previous period's reminder is just outside.
        recent = now - period + timedelta(hours=1)
        if Notification.objects.filter(
            recipient=user, kind=IMPACT_KIND, created_at__gt=recent
        ).exists():
            return False
        report = impact_report(user=user, since=now - period, until=now)
        if report.is_empty:
            return False
        url = reverse("notifications:impact")
        emailing = channel != Channel.IN_APP
        with translation.override(user.locale or settings.LANGUAGE_CODE):
            summary = report.summary()
            text = _("What your knowledge did: %(summary)s") % {"summary": summary}
        reminder = Notification.objects.create(
            recipient=user,
            kind=IMPACT_KIND,
            text=text[:300],
            url=url,
            created_at=now,
            email_state=Notification.EmailState.NOW if emailing else Notification.EmailState.NONE,
        )
        if emailing:
            queued = outbound_enqueue(
                recipient_id=user.pk,
                kind=OutboundEmail.Kind.IMPACT,
                period_key=local_period(user.timezone, now, frequency),
                params={
                    "frequency": frequency,
                    "since": (now - period).isoformat(),
                    "until": now.isoformat(),
                },
                notification_id=reminder.pk,
            )
            if queued is None:  # this period's reminder email exists already: in the app only
                Notification.objects.filter(pk=reminder.pk).update(  # cache: email state not shown
                    email_state=Notification.EmailState.NONE
                )
    return True
