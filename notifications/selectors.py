"""Reads on notifications that the pages and the API share. Every read is scoped to the member
asking: another member's notification answers 404, the same as a missing one."""

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.db.models import Count, F, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from accounts.types import Viewer
from cocreate.permissions import allowed
from cocreate.statements import Statement
from communities.models import Community
from knowledge.models import Comment, Contribution, Follow, ModerationState, StatusChange, Support

from .impact import LIST_LIMIT, PERIODS, ImpactReport, forward_statuses, impact_frequency
from .mail import DIGEST_HOUR, local_hour
from .models import Announcement, CommunityMute, Notification, OutboundEmail, Preference
from .topics import TOPICS

UNREAD_CAP = 100  # the bell shows "99+" beyond this; never an unbounded COUNT(*)


def notifications_for(*, user: User) -> QuerySet[Notification]:
    """The member's notifications, newest first (served by the ``notif_inbox`` index)."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_count(*, user: Viewer, cap: int = UNREAD_CAP) -> int:
    """How many unread notifications the member has, counted up to ``cap`` (one query on the
    partial ``notif_unread`` index)."""
    if not user.is_authenticated:
        return 0
    # The ids of at most ``cap`` rows, counted here: the same number as COUNT(*) over the
    # sliced query; compiled once (the bell is on every signed-in page).
    return len(_unread(cap).rows(user_id=user.pk))


@cache
def _unread(cap: int) -> Statement:
    return Statement(
        lambda user_id: (
            Notification.objects.filter(recipient_id=user_id, read_at__isnull=True)
            .order_by()
            .values_list("pk")[:cap]
        )
    )


def notification_get(*, user: User, notification_id: int) -> Notification:
    found = (
        Notification.objects.select_related("event")
        .filter(recipient=user, pk=notification_id)
        .first()
    )
    if found is None:
        raise Http404
    return found


def contribution_ids(notifications: list[Notification]) -> dict[int, int]:
    """notification id -> the contribution it is about (from its event), for follow buttons."""
    result = {}
    for n in notifications:
        payload = n.event.payload if n.event_id and n.event else {}
        cid = payload.get("contribution_id") if isinstance(payload, dict) else None
        if isinstance(cid, int):
            result[n.pk] = cid
    return result


def followed_ids(*, user: User, contribution_ids: set[int]) -> set[int]:
    if not contribution_ids:
        return set()
    return set(
        Follow.objects.filter(user=user, discussion__contribution__in=contribution_ids).values_list(
            "discussion__contribution", flat=True
        )
    )


@dataclass(frozen=True)
class TopicChoice:
    key: str
    label: str
    default: str
    channel: str

    @property
    def is_default(self) -> bool:
        return self.channel == self.default


def preferences_for(*, user: User) -> list[TopicChoice]:
    """Every topic with the member's channel for it (their choice or the topic's default)."""
    chosen = dict(Preference.objects.filter(user=user).values_list("topic", "channel"))
    return [
        TopicChoice(
            key=t.key, label=str(t.label), default=t.default, channel=chosen.get(t.key, t.default)
        )
        for t in TOPICS.values()
    ]


def channel_for(*, user: User, topic: str) -> str:
    chosen = Preference.objects.filter(user=user, topic=topic).values_list("channel", flat=True)
    return next(iter(chosen), TOPICS[topic].default)


def muted_communities(*, user: User) -> list[Community]:
    """The communities the member muted (a muted community that since disappeared is skipped)."""
    ids = list(CommunityMute.objects.filter(user=user).values_list("community_id", flat=True))
    if not ids:
        return []
    return list(Community.objects.filter(pk__in=ids).order_by("name"))


def muted_ids(*, user: User) -> set[int]:
    return set(CommunityMute.objects.filter(user=user).values_list("community_id", flat=True))


def announcement_get(*, user: Viewer, community: Community, announcement_id: int) -> Announcement:
    """An announcement of a community the member may see members' things in; else 404."""
    if not allowed(user, "communities.view_members", community):
        raise Http404
    found = (
        Announcement.objects.select_related("author")
        .filter(community_id=community.pk, pk=announcement_id)
        .first()
    )
    if found is None:
        raise Http404
    return found


# --- Impact (notifications.impact) ---------------------------------------------------------------


def impact_report(
    *,
    user: User,
    since: datetime,
    until: datetime | None = None,
    with_totals: bool = False,
    with_shared: bool = False,
) -> ImpactReport:
    """What the member's own knowledge did between ``since`` and ``until`` and, with
    ``with_shared``, what they shared in it (the page; a reminder is about impact only). Five
    queries at most whatever the volume (each section capped at ``LIST_LIMIT``); only the
    member's own contributions are read, so no other visibility check is needed."""
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
            discussion__contribution__author=user,
            is_official=True,
            moderation_state=ModerationState.VISIBLE,
            **window,
        )
        .exclude(author=user)
        .select_related("discussion__contribution__community", "author")
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
    if with_shared:
        report.shared = list(
            Contribution.objects.filter(
                author=user, submitted_at__gte=since, submitted_at__lt=until
            )
            .exclude(status=Contribution.Status.DRAFT)
            .select_related("community")
            .order_by("-submitted_at", "-id")[:LIST_LIMIT]
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


def impact_recipients(*, frequency: str, now: datetime | None = None) -> list[int]:
    """Members whose knowledge did something in the last period, whose impact reminder comes at
    this frequency, and whose local time is the digest hour (Monday for weekly ones)."""
    now = now or timezone.now()
    window = {"created_at__gte": now - PERIODS[frequency], "created_at__lt": now}
    authors: set[int] = set()
    authors.update(
        StatusChange.objects.filter(to_status__in=forward_statuses(), **window).values_list(
            "contribution__author_id", flat=True
        )
    )
    authors.update(
        Comment.objects.filter(is_official=True, discussion__contribution__isnull=False, **window)
        .exclude(author_id=F("discussion__contribution__author_id"))
        .values_list("discussion__contribution__author_id", flat=True)
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
        hour, weekday = local_hour(tz_name, now)
        if hour == DIGEST_HOUR and (frequency == "daily" or weekday == 0):
            due.append(user_id)
    return sorted(due)


def outbound_claimable_count(*, limit: int) -> int:
    """How many queued emails a sender could claim now (due, or "sending" with their lease run
    out), counted up to ``limit`` (the ``outbound_email_pending`` index: a handful of rows)."""
    now = timezone.now()
    return len(
        OutboundEmail.objects.filter(
            Q(lease_until__isnull=True) | Q(lease_until__lte=now),
            state__in=[OutboundEmail.State.DUE, OutboundEmail.State.SENDING],
        )
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
