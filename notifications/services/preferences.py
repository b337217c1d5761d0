"""A member's choices: how to hear about each topic, muted communities, unsubscribe links."""

from django.db import transaction

from accounts.models import User
from cocreate.errors import ValidationError

from ..models import Channel, CommunityMute, Notification, Preference
from ..topics import TOPICS, kinds_for


def preference_set(*, user: User, topic: str, channel: str) -> Preference:
    """Choose how to hear about a topic: in_app, email, daily, weekly or off."""
    if topic not in TOPICS:
        raise ValidationError({"topic": "Unknown topic."})
    if channel not in Channel.values:
        raise ValidationError({"channel": "Choose in_app, email, daily, weekly or off."})
    pref, _created = Preference.objects.update_or_create(
        user=user, topic=topic, defaults={"channel": channel}
    )
    if channel in (Channel.IN_APP, Channel.OFF):
        _silence_waiting(user=user, topic=topic)
    return pref


def community_mute_set(*, user: User, community_id: int, muted: bool) -> bool:
    """Mute (or unmute) a community for the member: nothing from it reaches them except about
    their membership and moderation. The caller checks the community is visible to them."""
    if muted:
        CommunityMute.objects.get_or_create(user=user, community_id=community_id)
    else:
        CommunityMute.objects.filter(user=user, community_id=community_id).delete()
    return muted


def _silence_waiting(*, user: User, topic: str) -> int:
    """Drop the emails still owed for a topic (now or in a digest) once the member stops emails
    for it: a digest sent after "off" would break the member's trust in the setting."""
    kinds = kinds_for(topic)
    if not kinds:
        return 0
    return Notification.objects.filter(  # cache: no page shows email states
        recipient=user,
        kind__in=kinds,
        email_state__in=[
            Notification.EmailState.NOW,
            Notification.EmailState.DAILY,
            Notification.EmailState.WEEKLY,
        ],
    ).update(email_state=Notification.EmailState.NONE)


@transaction.atomic
def preferences_update(
    *, user: User, channels: dict[str, str], reset_missing: bool = False
) -> dict:
    """Set the member's channel for each topic in ``channels`` (all-or-nothing: any unknown topic
    or channel raises ValidationError and nothing changes). With ``reset_missing`` (a PUT),
    topics not named return to their default. Moving a topic to in_app or off also drops the
    emails still waiting for it. Returns every topic's effective channel."""
    errors = {}
    for topic, channel in channels.items():
        if topic not in TOPICS:
            errors[topic] = ["Unknown topic."]
        elif channel not in Channel.values:
            errors[topic] = ["Choose in_app, email, daily, weekly or off."]
    if errors:
        raise ValidationError(errors)
    current = dict(Preference.objects.filter(user=user).values_list("topic", "channel"))
    if reset_missing:
        stale = [t for t in current if t not in channels]
        if stale:
            Preference.objects.filter(user=user, topic__in=stale).delete()
            for topic in stale:
                if TOPICS.get(topic) and TOPICS[topic].default in ("in_app", "off"):
                    _silence_waiting(user=user, topic=topic)
                current.pop(topic)
    for topic, channel in channels.items():
        if current.get(topic) == channel:
            continue
        if topic not in current and TOPICS[topic].default == channel:
            continue  # already the default: no row needed
        preference_set(user=user, topic=topic, channel=channel)
        current[topic] = channel
    return {key: current.get(key, topic.default) for key, topic in TOPICS.items()}


def unsubscribe_apply(*, user_id: int, topic: str) -> list[str]:
    """What a one-click unsubscribe link does. A topic's link turns that topic off; a digest's
    link (``digest_daily`` / ``digest_weekly``) moves every topic delivered in that digest to
    in-app only, so nothing is lost but no more digests come. Returns the topics changed."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return []
    if topic in TOPICS:
        preferences_update(user=user, channels={topic: "off"})
        return [topic]
    if topic in ("digest_daily", "digest_weekly"):
        frequency = topic.removeprefix("digest_")
        chosen = dict(Preference.objects.filter(user=user).values_list("topic", "channel"))
        moved = [key for key, t in TOPICS.items() if chosen.get(key, t.default) == frequency]
        if moved:
            preferences_update(user=user, channels=dict.fromkeys(moved, "in_app"))
        return moved
    return []


@transaction.atomic
def community_mutes_replace(*, user: User, community_ids: list[int]) -> list[int]:
    """Make exactly these communities muted for the member. The caller checks each community
    is visible to them. Returns the muted ids, sorted."""
    wanted = set(community_ids)
    CommunityMute.objects.filter(user=user).exclude(community_id__in=wanted).delete()
    have = set(CommunityMute.objects.filter(user=user).values_list("community_id", flat=True))
    CommunityMute.objects.bulk_create(
        [CommunityMute(user=user, community_id=cid) for cid in sorted(wanted - have)],
        ignore_conflicts=True,
    )
    return sorted(wanted)
