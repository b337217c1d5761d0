"""Writes on the outbox: record a domain event, and process one exactly once."""

import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import OutboxEvent
from .registry import consumers_for

logger = logging.getLogger(__name__)


def event_record(
    *,
    kind: str,
    payload: dict,
    actor=None,
    community_id: int | None = None,
) -> OutboxEvent:
    """Record a domain event in the caller's transaction and hand it to Celery after commit.

    Call inside the transaction that made the change. If that transaction rolls back, the
    event never existed and nothing is sent. If the broker is unreachable after commit, the
    periodic relay (``notifications.relay_outbox``) delivers it later.
    """
    event = OutboxEvent.objects.create(
        kind=kind,
        payload=payload,
        actor=actor if actor is not None and actor.is_authenticated else None,
        community_id=community_id,
    )
    transaction.on_commit(lambda: _enqueue(event.pk))
    return event


def _enqueue(event_id: int) -> None:
    from .tasks import deliver_event

    try:
        deliver_event.delay(event_id)
    except Exception:  # broker down: the relay picks the event up later
        logger.warning("outbox: could not enqueue event %s; relay will retry", event_id)


def event_process(*, event_id: int) -> bool:
    """Run every consumer of the event once. Returns False if it was already processed.

    Locks the event row, so two workers handed the same event cannot both act on it.
    """
    with transaction.atomic():
        event = OutboxEvent.objects.select_for_update().filter(pk=event_id).first()
        if event is None or event.processed_at is not None:
            return False
        for consumer in consumers_for(event.kind):
            consumer(event)
        event.processed_at = timezone.now()
        event.attempts += 1
        event.save(update_fields=["processed_at", "attempts", "payload"])
    return True


def pending_event_ids(*, older_than_seconds: int, limit: int) -> list[int]:
    """Ids of events not processed after ``older_than_seconds``; skips rows another relay holds."""
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    with transaction.atomic():
        qs = OutboxEvent.objects.filter(processed_at__isnull=True, created_at__lte=cutoff)
        qs = qs.order_by("id").select_for_update(skip_locked=True)
        ids = list(qs.values_list("id", flat=True)[:limit])
        if ids:
            OutboxEvent.objects.filter(pk__in=ids).update(attempts=F("attempts") + 1)
    return ids


# --- In-app notifications, preferences and email ------------------------------------------------

FANOUT_BATCH = 1000


def _channels(*, user_ids: list[int], topic: str, community_id: int | None) -> dict[int, str]:
    """Each recipient's channel for a topic (their preference or the topic's default); muted
    communities and "off" drop the recipient."""
    from .models import Channel, CommunityMute, Preference
    from .topics import TOPICS

    default = TOPICS[topic].default
    chosen = dict(
        Preference.objects.filter(user_id__in=user_ids, topic=topic).values_list(
            "user_id", "channel"
        )
    )
    muted: set[int] = set()
    if community_id is not None and topic not in ("membership", "moderation"):
        muted = set(
            CommunityMute.objects.filter(
                user_id__in=user_ids, community_id=community_id
            ).values_list("user_id", flat=True)
        )
    result = {}
    for uid in user_ids:
        channel = chosen.get(uid, default)
        if channel != Channel.OFF and uid not in muted:
            result[uid] = channel
    return result


EMAIL_STATE_FOR = {"in_app": "none", "email": "now", "daily": "daily", "weekly": "weekly"}


def notify(*, event: OutboxEvent, topic: str, recipient_ids: list[int], text: str, url: str) -> int:
    """Create one notification per recipient (batched insert; a repeat of the same event adds
    nothing) and queue immediate emails after commit. The actor is never notified of their
    own act. Returns how many notifications were new."""
    from .models import Notification

    ids = [uid for uid in dict.fromkeys(recipient_ids) if uid and uid != event.actor_id]
    if not ids:
        return 0
    channels = _channels(user_ids=ids, topic=topic, community_id=event.community_id)
    if not channels:
        return 0
    before = Notification.objects.filter(event=event).count()
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=uid,
                event=event,
                kind=event.kind,
                community_id=event.community_id,
                actor_id=event.actor_id,
                text=text[:300],
                url=url[:300],
                created_at=event.created_at,
                email_state=EMAIL_STATE_FOR[channel],
            )
            for uid, channel in channels.items()
        ],
        ignore_conflicts=True,
        batch_size=FANOUT_BATCH,
    )
    created = Notification.objects.filter(event=event).count() - before
    if any(channel == "email" for channel in channels.values()):
        event_id = event.pk
        transaction.on_commit(lambda: _enqueue_emails(event_id))
    return created


def _enqueue_emails(event_id: int) -> None:
    from .tasks import send_event_emails

    try:
        send_event_emails.delay(event_id)
    except Exception:  # broker down: the digest sweep sends what is still due
        logger.warning("notifications: could not enqueue emails for event %s", event_id)


def fanout_batch(
    *, event_id: int, after_user_id: int, batch_size: int = FANOUT_BATCH
) -> int | None:
    """Notify the next batch of the community's active members after ``after_user_id``.

    Returns the last user id of the batch when more members follow (the caller continues from
    there) or None when the audience is exhausted, so an audience of N takes ceil(N / batch)
    calls. Memory and work per call are bounded by ``batch_size``.
    """
    from communities.models import Membership

    from .topics import ROUTES

    event = OutboxEvent.objects.select_related("actor").filter(pk=event_id).first()
    if event is None or event.community_id is None:
        return None
    route = ROUTES[event.kind]
    user_ids = list(
        Membership.objects.filter(
            community_id=event.community_id,
            status=Membership.Status.ACTIVE,
            user_id__gt=after_user_id,
        )
        .order_by("user_id")
        .values_list("user_id", flat=True)[: batch_size + 1]
    )
    more = len(user_ids) > batch_size
    user_ids = user_ids[:batch_size]
    if not user_ids:
        return None
    with transaction.atomic():
        notify(
            event=event,
            topic=route.topic,
            recipient_ids=user_ids,
            text=route.text(event),
            url=route.url(event),
        )
    return user_ids[-1] if more else None


def notification_mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one notification (or, without an id, all of them) read. Returns how many changed."""
    from .models import Notification

    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


def preference_set(*, user, topic: str, channel: str):
    """Choose how to hear about a topic: in_app, email, daily, weekly or off."""
    from cocreate.errors import ValidationError

    from .models import Channel, Preference
    from .topics import TOPICS

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


def community_mute_set(*, user, community_id: int, muted: bool) -> bool:
    """Mute (or unmute) a community for the member: nothing from it reaches them except about
    their membership and moderation. The caller checks the community is visible to them."""
    from .models import CommunityMute

    if muted:
        CommunityMute.objects.get_or_create(user=user, community_id=community_id)
    else:
        CommunityMute.objects.filter(user=user, community_id=community_id).delete()
    return muted


@transaction.atomic
def announcement_create(*, actor, community, title: str, body: str):
    """A manager tells every member something; delivered in batches by the workers."""
    from django.utils.translation import gettext as _

    from cocreate.errors import PermissionDenied, ValidationError
    from knowledge.rendering import render_markdown

    from .models import Announcement

    if not actor.has_perm("communities.manage_community", community):
        raise PermissionDenied(_("Only managers can send announcements."))
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("Give the announcement a title.")
    if not (body or "").strip():
        errors["body"] = _("Write the announcement.")
    if errors:
        raise ValidationError(errors)
    announcement = Announcement.objects.create(
        community_id=community.pk,
        author=actor,
        title=title.strip()[:160],
        body=body.strip(),
        body_html=render_markdown(body),
    )
    event_record(
        kind="announcement.created",
        payload={"announcement_id": announcement.pk, "title": announcement.title},
        actor=actor,
        community_id=community.pk,
    )
    return announcement


# --- Member choices: preferences, unsubscribe links, reading -----------------------------------


def _silence_waiting(*, user, topic: str) -> int:
    """Drop the emails still owed for a topic (now or in a digest) once the member stops emails
    for it: a digest sent after "off" would break the member's trust in the setting."""
    from .models import Notification
    from .topics import kinds_for

    kinds = kinds_for(topic)
    if not kinds:
        return 0
    return Notification.objects.filter(
        recipient=user,
        kind__in=kinds,
        email_state__in=[
            Notification.EmailState.NOW,
            Notification.EmailState.DAILY,
            Notification.EmailState.WEEKLY,
        ],
    ).update(email_state=Notification.EmailState.NONE)


@transaction.atomic
def preferences_update(*, user, channels: dict[str, str], reset_missing: bool = False) -> dict:
    """Set the member's channel for each topic in ``channels`` (all-or-nothing: any unknown topic
    or channel raises ValidationError and nothing changes). With ``reset_missing`` (a PUT),
    topics not named return to their default. Moving a topic to in_app or off also drops the
    emails still waiting for it. Returns every topic's effective channel."""
    from cocreate.errors import ValidationError

    from .models import Channel, Preference
    from .topics import TOPICS

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
    from accounts.models import User

    from .models import Preference
    from .topics import TOPICS

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
def community_mutes_replace(*, user, community_ids: list[int]) -> list[int]:
    """Make exactly these communities muted for the member. The caller checks each community
    is visible to them. Returns the muted ids, sorted."""
    from .models import CommunityMute

    wanted = set(community_ids)
    CommunityMute.objects.filter(user=user).exclude(community_id__in=wanted).delete()
    have = set(CommunityMute.objects.filter(user=user).values_list("community_id", flat=True))
    CommunityMute.objects.bulk_create(
        [CommunityMute(user=user, community_id=cid) for cid in sorted(wanted - have)],
        ignore_conflicts=True,
    )
    return sorted(wanted)


def notifications_mark_emailed(*, notification_ids: list[int]) -> int:
    """Record that these notifications went out by email (immediately or in a digest).

    Call inside the transaction that locked the rows and sent the email, so a failed send
    leaves them due and a retry cannot send them twice."""
    from .models import Notification

    return Notification.objects.filter(pk__in=notification_ids).update(
        email_state=Notification.EmailState.SENT, emailed_at=timezone.now()
    )
