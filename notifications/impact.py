"""Impact reminders: "what your knowledge did". For one member and one period, the
contributions of theirs that moved forward, the official responses they received and the
supports they gained; shown on a page and sent as a periodic reminder (topic "impact")."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Channel, Notification
from .topics import IMPACT_KIND

PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
LIST_LIMIT = 50  # per section; the page and email say how many more there were


def forward_statuses() -> list[str]:
    from knowledge.models import Contribution

    S = Contribution.Status
    return [S.UNDER_REVIEW, S.ACCEPTED, S.IN_DEVELOPMENT, S.SHIPPED, S.MERGED]


@dataclass
class ImpactReport:
    since: datetime
    until: datetime
    moves: list = field(default_factory=list)  # StatusChange, contribution loaded
    official: list = field(default_factory=list)  # Comment, contribution and author loaded
    supported: list = field(default_factory=list)  # Contribution with .gained
    supports_gained: int = 0
    totals: dict = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not (self.moves or self.official or self.supports_gained)

    def summary(self) -> str:
        parts = []
        if self.moves:
            parts.append(
                ngettext(
                    "%(n)d contribution moved forward",
                    "%(n)d contributions moved forward",
                    len(self.moves),
                )
                % {"n": len(self.moves)}
            )
        if self.official:
            parts.append(
                ngettext("%(n)d official response", "%(n)d official responses", len(self.official))
                % {"n": len(self.official)}
            )
        if self.supports_gained:
            parts.append(
                ngettext("%(n)d new support", "%(n)d new supports", self.supports_gained)
                % {"n": self.supports_gained}
            )
        return ", ".join(parts)


def impact_report(
    *, user, since: datetime, until: datetime | None = None, with_totals: bool = False
) -> ImpactReport:
    """What the member's own knowledge did between ``since`` and ``until``. Four queries at
    most whatever the volume (each section capped at ``LIST_LIMIT``); only the member's own
    contributions are read, so no other visibility check is needed."""
    from knowledge.models import Comment, Contribution, ModerationState, StatusChange

    until = until or timezone.now()
    window = {"created_at__gte": since, "created_at__lt": until}
    moves = list(
        StatusChange.objects.filter(
            contribution__author=user, to_status__in=forward_statuses(), **window
        )
        .select_related("contribution__community")
        .order_by("-created_at", "-id")[:LIST_LIMIT]
    )
    for move in moves:
        try:
            move.to_label = str(Contribution.Status(move.to_status).label)
        except ValueError:
            move.to_label = move.to_status
    official = list(
        Comment.objects.filter(
            contribution__author=user,
            is_official=True,
            moderation_state=ModerationState.VISIBLE,
            **window,
        )
        .exclude(author=user)
        .select_related("contribution__community", "author")
        .order_by("-created_at", "-id")[:LIST_LIMIT]
    )
    in_window = Q(supports__created_at__gte=since, supports__created_at__lt=until) & ~Q(
        supports__user=user
    )
    supported = list(
        Contribution.objects.filter(author=user)
        .annotate(gained=Count("supports", filter=in_window))
        .filter(gained__gt=0)
        .select_related("community")
        .order_by("-gained", "-id")[:LIST_LIMIT]
    )
    report = ImpactReport(
        since=since,
        until=until,
        moves=moves,
        official=official,
        supported=supported,
        supports_gained=sum(c.gained for c in supported),
    )
    if with_totals:
        S = Contribution.Status
        report.totals = (
            Contribution.objects.filter(author=user)
            .exclude(status=S.DRAFT)
            .aggregate(
                contributions=Count("id"),
                supports=Sum("support_count"),
                shipped=Count("id", filter=Q(status=S.SHIPPED)),
                in_progress=Count("id", filter=Q(status__in=[S.ACCEPTED, S.IN_DEVELOPMENT])),
            )
        )
        report.totals["supports"] = report.totals["supports"] or 0
    return report


def impact_frequency(channel: str) -> str | None:
    """How often a member hears about their impact: "off" never, "daily" daily, anything else
    weekly (a reminder is periodic by nature; "email" and "in_app" only choose the channel)."""
    if channel == Channel.OFF:
        return None
    return "daily" if channel == Channel.DAILY else "weekly"


def impact_recipients(*, frequency: str, now: datetime | None = None) -> list[int]:
    """Members whose knowledge did something in the last period, whose impact reminder comes at
    this frequency, and whose local time is the digest hour (Monday for weekly ones)."""
    from accounts.models import User
    from knowledge.models import Comment, StatusChange, Support

    from .emails import DIGEST_HOUR, _local_hour
    from .models import Preference
    from .topics import TOPICS

    now = now or timezone.now()
    window = {"created_at__gte": now - PERIODS[frequency], "created_at__lt": now}
    authors: set[int] = set()
    authors.update(
        StatusChange.objects.filter(to_status__in=forward_statuses(), **window).values_list(
            "contribution__author_id", flat=True
        )
    )
    authors.update(
        Comment.objects.filter(is_official=True, contribution__isnull=False, **window)
        .exclude(author_id=F("contribution__author_id"))
        .values_list("contribution__author_id", flat=True)
    )
    authors.update(
        Support.objects.filter(**window)
        .exclude(user_id=F("contribution__author_id"))
        .values_list("contribution__author_id", flat=True)
    )
    if not authors:
        return []
    chosen = dict(
        Preference.objects.filter(user_id__in=authors, topic="impact").values_list(
            "user_id", "channel"
        )
    )
    default = TOPICS["impact"].default
    due = []
    users = User.objects.filter(pk__in=authors, is_active=True).values_list("id", "timezone")
    for user_id, tz_name in users:
        if impact_frequency(chosen.get(user_id, default)) != frequency:
            continue
        hour, weekday = _local_hour(tz_name, now)
        if hour == DIGEST_HOUR and (frequency == "daily" or weekday == 0):
            due.append(user_id)
    return sorted(due)


def send_impact_reminder(*, user_id: int, frequency: str, now: datetime | None = None) -> bool:
    """Build and deliver one member's reminder for the period ending ``now``: an in-app
    notification linking to the impact page, and an email unless the member chose in-app only.
    At most once per period (the member's row is locked and the last reminder checked); nothing
    when nothing happened or the topic is off. Returns whether a reminder was made."""
    from accounts.models import User

    from .emails import _absolute, _send
    from .selectors import channel_for

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
        Notification.objects.create(
            recipient=user,
            kind=IMPACT_KIND,
            text=text[:300],
            url=url,
            created_at=now,
            email_state=Notification.EmailState.SENT if emailing else Notification.EmailState.NONE,
            emailed_at=now if emailing else None,
        )
        if emailing:
            # Sent inside the transaction: if sending fails, no reminder is recorded and the task
            # retries; once recorded, the period's reminder is never sent again.
            _send(
                user=user,
                subject=f"[Cocreate] {text}"[:150],
                template="impact",
                context={"report": report, "url": _absolute(url), "frequency": frequency},
                topic="impact",
            )
    return True
