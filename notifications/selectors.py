"""Reads on notifications that the pages and the API share. Every read is scoped to the member
asking: another member's notification answers 404, the same as a missing one."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from .models import CommunityMute, Notification, Preference
from .topics import TOPICS

UNREAD_CAP = 100  # the bell shows "99+" beyond this; never an unbounded COUNT(*)


def notifications_for(*, user) -> QuerySet[Notification]:
    """The member's notifications, newest first (served by the ``notif_inbox`` index)."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_count(*, user, cap: int = UNREAD_CAP) -> int:
    """How many unread notifications the member has, counted up to ``cap`` (one query on the
    partial ``notif_unread`` index)."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True)[:cap].count()


def notification_get(*, user, notification_id: int) -> Notification:
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


def followed_ids(*, user, contribution_ids: set[int]) -> set[int]:
    from knowledge.models import Follow

    if not contribution_ids:
        return set()
    return set(
        Follow.objects.filter(user=user, contribution_id__in=contribution_ids).values_list(
            "contribution_id", flat=True
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


def preferences_for(*, user) -> list[TopicChoice]:
    """Every topic with the member's channel for it (their choice or the topic's default)."""
    chosen = dict(Preference.objects.filter(user=user).values_list("topic", "channel"))
    return [
        TopicChoice(
            key=t.key, label=str(t.label), default=t.default, channel=chosen.get(t.key, t.default)
        )
        for t in TOPICS.values()
    ]


def channel_for(*, user, topic: str) -> str:
    chosen = Preference.objects.filter(user=user, topic=topic).values_list("channel", flat=True)
    return next(iter(chosen), TOPICS[topic].default)


def muted_communities(*, user) -> list:
    """The communities the member muted (a muted community that since disappeared is skipped)."""
    from communities.models import Community

    ids = list(CommunityMute.objects.filter(user=user).values_list("community_id", flat=True))
    if not ids:
        return []
    return list(Community.objects.filter(pk__in=ids).order_by("name"))


def muted_ids(*, user) -> set[int]:
    return set(CommunityMute.objects.filter(user=user).values_list("community_id", flat=True))


def announcement_get(*, user, community, announcement_id: int):
    """An announcement of a community the member may see members' things in; else 404."""
    from .models import Announcement

    if not user.has_perm("communities.view_members", community):
        raise Http404
    found = (
        Announcement.objects.select_related("author")
        .filter(community_id=community.pk, pk=announcement_id)
        .first()
    )
    if found is None:
        raise Http404
    return found
