"""Fan-out: turn one event into notifications, for named recipients or, for a whole community,
through a plan of chunks (one task each) written in the transaction that processes the event."""

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cocreate import caching
from communities.models import Membership

from ..models import Channel, CommunityMute, FanoutChunk, Notification, Preference
from ..topics import ROUTES, TOPICS
from .outbound import outbound_enqueue_notifications

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django_stubs_ext import StrOrPromise

    from events.models import OutboxEvent

logger = logging.getLogger(__name__)


def fanout_batch_size() -> int:
    """Members per fan-out chunk (``NOTIFICATIONS_FANOUT_BATCH``): each chunk is one task, one
    transaction and one batched insert; a worker holds one chunk in memory at a time."""
    return max(1, int(getattr(settings, "NOTIFICATIONS_FANOUT_BATCH", 1000)))


FANOUT_BATCH = 1000  # the default of NOTIFICATIONS_FANOUT_BATCH


def _channels(*, user_ids: list[int], topic: str, community_id: int | None) -> dict[int, str]:
    """Each recipient's channel for a topic (their preference or the topic's default); muted
    communities and "off" drop the recipient."""
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
    event: "OutboxEvent",
    topic: str,
    recipient_ids: list[int],
    text: "StrOrPromise",
    url: str,
    email_range: tuple[int, int | None] | None = None,
) -> int:
    """Create one notification per recipient (one batched insert; a repeat of the same event
    adds nothing) and, in the same transaction, one queued email (``outbound``) for each
    recipient who wants email right away; a sender task is queued after commit. The actor is
    never notified of their own act. Returns how many notifications were new (exact unless
    another worker inserts for the same event and recipients at the same moment).

    ``email_range`` is accepted for the callers of the previous version and unused: the email
    queue is one pool of rows, whoever queued them."""
    ids = [uid for uid in dict.fromkeys(recipient_ids) if uid and uid != event.actor_id]
    if not ids:
        return 0
    channels = _channels(user_ids=ids, topic=topic, community_id=event.community_id)
    if not channels:
        return 0
    # Bounded by the batch (the unique index on event, recipient), never a count of the event.
    existing = Notification.objects.filter(event=event, recipient_id__in=list(channels)).count()
    rows = [
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
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=fanout_batch_size())
    # Their bells (and every cached page showing one) changed.
    caching.changed(rows)
    emailing = [uid for uid, channel in channels.items() if channel == "email"]
    if emailing and outbound_enqueue_notifications(event_ids=[event.pk], recipient_ids=emailing):
        transaction.on_commit(_kick_senders)
    return len(channels) - existing


@dataclass(frozen=True)
class Message:
    """One event's notification, for ``notify_many``."""

    event: "OutboxEvent"
    topic: str
    recipient_ids: list[int]
    text: "StrOrPromise"
    url: str


def notify_many(messages: list[Message]) -> None:
    """``notify`` for several events at once (a worker's batch of named-recipient events): the
    same rows and emails as one ``notify`` per message, with each query made once per batch
    rather than once per event: the channels once per (topic, community), one batched insert,
    one bump of the recipients' bells."""
    wanted: dict[tuple[str, int | None], set[int]] = {}
    for m in messages:
        ids = {uid for uid in m.recipient_ids if uid and uid != m.event.actor_id}
        wanted.setdefault((m.topic, m.event.community_id), set()).update(ids)
    channels = {
        key: _channels(user_ids=sorted(ids), topic=key[0], community_id=key[1])
        for key, ids in wanted.items()
        if ids
    }
    rows: list[Notification] = []
    emailing: list[int] = []
    emailed: set[int] = set()
    for m in messages:
        chosen = channels.get((m.topic, m.event.community_id), {})
        shown = [uid for uid in dict.fromkeys(m.recipient_ids) if uid in chosen]
        shown = [uid for uid in shown if uid != m.event.actor_id]
        for uid in shown:
            rows.append(
                Notification(
                    recipient_id=uid,
                    event=m.event,
                    kind=m.event.kind,
                    community_id=m.event.community_id,
                    actor_id=m.event.actor_id,
                    text=m.text[:300],
                    url=m.url[:300],
                    created_at=m.event.created_at,
                    email_state=EMAIL_STATE_FOR[chosen[uid]],
                )
            )
        wanted_now = {uid for uid in shown if chosen[uid] == "email"}
        if wanted_now:
            emailing.append(m.event.pk)
            emailed |= wanted_now
    if not rows:
        return
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=fanout_batch_size())
    caching.changed(rows)  # their bells (and every cached page showing one)
    # Only (event, recipient) pairs notified "now" have an email owed, however the sets cross.
    if emailing and outbound_enqueue_notifications(
        event_ids=emailing, recipient_ids=sorted(emailed)
    ):
        transaction.on_commit(_kick_senders)


def _kick_senders() -> None:
    """After commit: a sender task, to send the emails just queued now rather than at the
    relay's next pass."""
    from ..tasks import send_emails  # noqa: PLC0415 — the task runs the email queue's services

    try:
        send_emails.delay()
    except Exception:  # broker down: the email relay (beat) queues senders for what is due
        logger.warning("notifications: could not queue an email sender; the email relay will")


def _active_member_ids(community_id: int | None) -> "QuerySet[Membership, int]":
    if community_id is None:  # an event of no community has no members to reach
        return Membership.objects.none().values_list("user_id", flat=True)
    return (
        Membership.objects.filter(community_id=community_id, status=Membership.Status.ACTIVE)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def fanout_plan(*, event: "OutboxEvent", batch_size: int | None = None) -> list[int]:
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
    from ..tasks import fanout_chunk  # noqa: PLC0415 — the task runs fanout_chunk_process

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


def pending_fanout_chunk_ids(*, older_than_seconds: int, limit: int) -> list[int]:
    """Ids of fan-out chunks still not done ``older_than_seconds`` after they were last queued
    (their worker died, or the broker lost the message); marks them queued again now, so each
    is re-sent at most once per interval. Skips chunks a running task holds locked."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    with transaction.atomic():
        qs = FanoutChunk.objects.filter(done_at__isnull=True, queued_at__lte=cutoff)
        qs = qs.order_by("id").select_for_update(skip_locked=True)
        ids = list(qs.values_list("id", flat=True)[:limit])
        if ids:
            FanoutChunk.objects.filter(pk__in=ids).update(queued_at=timezone.now())
    return ids
