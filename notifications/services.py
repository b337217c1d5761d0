"""Writes on the outbox: record a domain event, and process one exactly once."""

import logging
import time
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cocreate import generations

from .models import FanoutChunk, OutboxEvent
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
        # The hand-off time travels in the message: the task records how long it waited.
        deliver_event.delay(event_id, enqueued_at=time.time())
    except Exception:  # broker down: the relay picks the event up later
        logger.warning("outbox: could not enqueue event %s; relay will retry", event_id)


def event_process(
    *, event_id: int, enqueued_at: float | None = None, started_at: datetime | None = None
) -> bool:
    """Run every consumer of the event once. Returns False if it was already processed.

    Locks the event row, so two workers handed the same event cannot both act on it.
    ``enqueued_at`` (a Unix time, from the task message) and ``started_at`` (when the task
    began) are recorded with ``processed_at``: the event's time in the queue.
    """
    with transaction.atomic():
        event = OutboxEvent.objects.select_for_update().filter(pk=event_id).first()
        if event is None or event.processed_at is not None:
            return False
        for consumer in consumers_for(event.kind):
            consumer(event)
        event.processed_at = timezone.now()
        event.started_at = started_at or event.processed_at
        if enqueued_at is not None:
            event.enqueued_at = datetime.fromtimestamp(enqueued_at, tz=UTC)
        event.attempts += 1
        event.save(
            update_fields=["processed_at", "started_at", "enqueued_at", "attempts", "payload"]
        )
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


def pending_fanout_chunk_ids(*, older_than_seconds: int, limit: int) -> list[int]:
    """Ids of fan-out chunks still not done ``older_than_seconds`` after they were last queued
    (their worker died, or the broker lost the message); marks them queued again now, so each
    is re-sent at most once per interval. Skips chunks a running task holds locked."""
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    with transaction.atomic():
        qs = FanoutChunk.objects.filter(done_at__isnull=True, queued_at__lte=cutoff)
        qs = qs.order_by("id").select_for_update(skip_locked=True)
        ids = list(qs.values_list("id", flat=True)[:limit])
        if ids:
            FanoutChunk.objects.filter(pk__in=ids).update(queued_at=timezone.now())
    return ids


# --- In-app notifications, preferences and email ------------------------------------------------


def fanout_batch_size() -> int:
    """Members per fan-out chunk (``NOTIFICATIONS_FANOUT_BATCH``): each chunk is one task, one
    transaction and one batched insert; a worker holds one chunk in memory at a time."""
    return max(1, int(getattr(settings, "NOTIFICATIONS_FANOUT_BATCH", 1000)))


FANOUT_BATCH = 1000  # the default of NOTIFICATIONS_FANOUT_BATCH


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


def reachable(*, user_ids: list[int], topic: str, community_id: int | None) -> set[int]:
    """The members among ``user_ids`` whom a notification on ``topic`` would reach (not muted,
    not switched off)."""
    if not user_ids:
        return set()
    return set(_channels(user_ids=user_ids, topic=topic, community_id=community_id))


EMAIL_STATE_FOR = {"in_app": "none", "email": "now", "daily": "daily", "weekly": "weekly"}


def notify(
    *,
    event: OutboxEvent,
    topic: str,
    recipient_ids: list[int],
    text: str,
    url: str,
    email_range: tuple[int, int | None] | None = None,
) -> int:
    """Create one notification per recipient (one batched insert; a repeat of the same event
    adds nothing) and queue immediate emails after commit. The actor is never notified of their
    own act. Returns how many notifications were new (exact unless another worker inserts for
    the same event and recipients at the same moment).

    ``email_range`` (after, upto], a fan-out chunk's user ids, limits the email task it queues
    to that chunk's recipients, so each email task is bounded like the chunk."""
    from .models import Notification

    ids = [uid for uid in dict.fromkeys(recipient_ids) if uid and uid != event.actor_id]
    if not ids:
        return 0
    channels = _channels(user_ids=ids, topic=topic, community_id=event.community_id)
    if not channels:
        return 0
    # Bounded by the batch (the unique index on event, recipient), never a count of the event.
    existing = Notification.objects.filter(event=event, recipient_id__in=list(channels)).count()
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
        batch_size=fanout_batch_size(),
    )
    # Their bells (and every cached page showing one) changed.
    generations.bump(*map(generations.user, channels))
    if any(channel == "email" for channel in channels.values()):
        event_id = event.pk
        transaction.on_commit(lambda: _enqueue_emails(event_id, email_range))
    return len(channels) - existing


def _enqueue_emails(event_id: int, email_range: tuple[int, int | None] | None = None) -> None:
    from .tasks import send_event_emails

    try:
        if email_range is None:
            send_event_emails.delay(event_id)
        else:
            send_event_emails.delay(event_id, email_range[0], email_range[1])
    except Exception:  # broker down: the digest sweep sends what is still due
        logger.warning("notifications: could not enqueue emails for event %s", event_id)


def _active_member_ids(community_id: int):
    from communities.models import Membership

    return (
        Membership.objects.filter(community_id=community_id, status=Membership.Status.ACTIVE)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def fanout_plan(*, event: OutboxEvent, batch_size: int | None = None) -> list[int]:
    """Split the event's community audience into chunks of ``batch_size`` members (keyset over
    the memberships by user id: one index probe per chunk, no member list in memory) and queue
    one task per chunk after commit, so all worker processes share the fan-out.

    Call inside the transaction that processes the event: the chunks are written with it, so a
    rolled-back processing plans nothing and a committed one has its whole plan on disk before
    any task is queued (the relay re-queues chunks left undone). Planning again adds nothing.
    Returns the ids of the chunks still to do. An audience of N makes ceil(N / batch) chunks.
    """
    batch = batch_size or fanout_batch_size()
    members = _active_member_ids(event.community_id)
    bounds: list[tuple[int, int | None]] = []
    after = 0
    while True:
        # The batch's last member and, if any, the first of the next batch.
        probe = list(members.filter(user_id__gt=after)[batch - 1 : batch + 1])
        if len(probe) < 2:
            bounds.append((after, None))  # the last chunk takes everyone after ``after``
            break
        bounds.append((after, probe[0]))
        after = probe[0]
    FanoutChunk.objects.bulk_create(
        [FanoutChunk(event=event, after_user_id=a, upto_user_id=u) for a, u in bounds],
        ignore_conflicts=True,
        batch_size=1000,
    )
    chunk_ids = list(
        FanoutChunk.objects.filter(event=event, done_at__isnull=True)
        .order_by("after_user_id")
        .values_list("id", flat=True)
    )
    transaction.on_commit(lambda: _enqueue_chunks(chunk_ids))
    return chunk_ids


def _enqueue_chunks(chunk_ids: list[int]) -> None:
    from .tasks import fanout_chunk

    for chunk_id in chunk_ids:
        try:
            fanout_chunk.delay(chunk_id)
        except Exception:  # broker down: the relay re-queues the chunks still undone
            logger.warning("fan-out: could not enqueue chunk %s; relay will retry", chunk_id)
            return


def fanout_chunk_process(*, chunk_id: int) -> int | None:
    """Notify the active members of one chunk, once. Returns how many notifications were new,
    or None when the chunk is missing or already done.

    The chunk row is locked for the whole transaction and marked done in it, with the
    notifications: a second delivery waits for the first, then finds it done; a worker killed
    mid-chunk commits nothing and the chunk is done again from scratch. Memory and work are
    bounded by the chunk size.
    """
    from .topics import ROUTES

    with transaction.atomic():
        chunk = (
            FanoutChunk.objects.select_for_update(of=("self",))
            .select_related("event", "event__actor")
            .filter(pk=chunk_id)
            .first()
        )
        if chunk is None or chunk.done_at is not None:
            return None
        event = chunk.event
        route = ROUTES[event.kind]
        members = _active_member_ids(event.community_id).filter(user_id__gt=chunk.after_user_id)
        if chunk.upto_user_id is not None:
            members = members.filter(user_id__lte=chunk.upto_user_id)
        created = notify(
            event=event,
            topic=route.topic,
            recipient_ids=list(members),
            text=route.text(event),
            url=route.url(event),
            email_range=(chunk.after_user_id, chunk.upto_user_id),
        )
        chunk.done_at = timezone.now()
        chunk.attempts += 1
        chunk.save(update_fields=["done_at", "attempts"])
    return created


def notification_mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one notification (or, without an id, all of them) read. Returns how many changed."""
    from .models import Notification

    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    changed = qs.update(read_at=timezone.now())
    if changed:
        generations.bump(generations.user(user.pk))
    return changed


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

    from cocreate.errors import ValidationError
    from cocreate.permissions import require
    from knowledge.rendering import render_markdown

    from .models import Announcement

    require(actor, "notifications.announce", community)
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


# --- Impact reminders (notifications.impact) -----------------------------------------------------


def impact_reminder_send(*, user_id: int, frequency: str, now: datetime | None = None) -> bool:
    """Build and deliver one member's reminder for the period ending ``now``: an in-app
    notification linking to the impact page, and an email unless the member chose in-app only.
    At most once per period (the member's row is locked and the last reminder checked); nothing
    when nothing happened or the topic is off. Returns whether a reminder was made."""
    from django.urls import reverse
    from django.utils import translation
    from django.utils.translation import gettext as _

    from accounts.models import User

    from .emails import _absolute, _send
    from .impact import PERIODS, impact_frequency
    from .models import Channel, Notification
    from .selectors import channel_for, impact_report
    from .topics import IMPACT_KIND

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
