"""Notifications as a consumer of domain events: which kinds it wants and what it does with each
(emails that must reach people outside the site; in-app notifications and their emails through
``topics.ROUTES``). ``register`` hands that to the event bus, at start-up."""

from collections.abc import Callable

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from events import registry
from events.models import OutboxEvent

from .models import COMMENT_EVENT_KINDS
from .services import fanout_plan, notify, reachable
from .services.fanout import Message, notify_many
from .tasks import requeue_fanout_chunks
from .topics import ROUTES, batch_lookups

CONSUMER = "notifications"


def send_invitation_email(event: OutboxEvent) -> None:
    """Email the invitation link. The raw token travels only in this event's payload."""
    payload = event.payload
    context = {
        "community_name": payload["community_name"],
        "inviter_name": payload["inviter_name"],
        "message": payload.get("message", ""),
        "accept_url": settings.SITE_URL.rstrip("/") + payload["accept_path"],
        "expires_at": payload["expires_at"],
    }
    with translation.override(payload.get("locale") or settings.LANGUAGE_CODE):
        subject = render_to_string("notifications/email/invitation_subject.txt", context).strip()
        body = render_to_string("notifications/email/invitation.txt", context)
    # Sent inside the processing transaction: if sending fails, the event stays unprocessed and
    # is retried (at-least-once). Once sent, the token is scrubbed from the stored payload.
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [payload["email"]])
    event.payload = {**payload, "accept_path": "[sent]"}


def _route_event(event: OutboxEvent) -> None:
    """Turn an event into notifications: directly for named recipients, or, for the whole
    community, through a fan-out plan written now (one task per chunk of members, queued after
    commit). A person several events of one comment would reach hears about it once."""
    route = ROUTES[event.kind]
    recipients = route.recipients(event)
    if isinstance(recipients, str):  # FANOUT, the one string a route answers
        fanout_plan(event=event)
        return
    recipients = list(recipients)
    if event.kind in COMMENT_EVENT_KINDS:
        recipients = _not_reached_by_a_more_specific_event(event, recipients)
    notify(
        event=event,
        topic=route.topic,
        recipient_ids=recipients,
        text=route.text(event),
        url=route.url(event),
    )


def _not_reached_by_a_more_specific_event(event: OutboxEvent, recipients: list[int]) -> list[int]:
    """Drop the recipients whom another event of the same comment, earlier in
    ``COMMENT_EVENT_KINDS`` (mention, official response, reply, comment on a contribution),
    reaches. All of a comment's events are written in one transaction, so whichever is processed
    first, each sees the same siblings: one notification per person per comment, through the
    most specific event whose topic the person has not switched off or muted."""
    comment_id = event.payload.get("comment_id")
    higher = COMMENT_EVENT_KINDS[: COMMENT_EVENT_KINDS.index(event.kind)]
    if not comment_id or not higher or not recipients:
        return recipients
    siblings = (
        # ``has_key`` names the condition of the partial index on the comment id.
        OutboxEvent.objects.filter(
            payload__has_key="comment_id", payload__comment_id=comment_id, kind__in=higher
        )
        .exclude(pk=event.pk)
        .select_related("actor")
    )
    covered: set[int] = set()
    for sibling in siblings:
        route = ROUTES[sibling.kind]
        ids = [
            uid
            for uid in route.recipients(sibling)
            if uid in recipients and uid != sibling.actor_id
        ]
        covered |= reachable(user_ids=ids, topic=route.topic, community_id=sibling.community_id)
    return [uid for uid in recipients if uid not in covered]


def _handlers() -> dict[str, Callable[[OutboxEvent], None]]:
    return {"invitation.created": send_invitation_email, **dict.fromkeys(ROUTES, _route_event)}


def handle(event: OutboxEvent) -> None:
    """The consumer: one handler per kind (the bus hands it only the kinds it registered)."""
    handler = _HANDLERS.get(event.kind)
    if handler is not None:
        handler(event)


def handle_batch(events: list[OutboxEvent]) -> None:
    """Several events at once (a worker's batch). Events to named recipients outside the
    comment family (whose siblings decide who hears) share their queries in ``notify_many``;
    every other event is handled as on its own. The same notifications as ``handle`` on each."""
    messages = []
    with batch_lookups():
        for event in events:
            route = ROUTES.get(event.kind)
            if route is None or event.kind in COMMENT_EVENT_KINDS:
                handle(event)
                continue
            recipients = route.recipients(event)
            if isinstance(recipients, str):  # FANOUT, the one string a route answers
                handle(event)
                continue
            messages.append(
                Message(
                    event=event,
                    topic=route.topic,
                    recipient_ids=list(recipients),
                    text=route.text(event),
                    url=route.url(event),
                )
            )
        notify_many(messages)


_HANDLERS: dict[str, Callable[[OutboxEvent], None]] = {}


def register() -> None:
    """Register notifications with the event bus: its kinds, its handler, its fan-out relay.
    Its deliveries go through ``notifications.deliver_event`` on the notifications queue."""
    _HANDLERS.clear()
    _HANDLERS.update(_handlers())
    registry.register(
        CONSUMER,
        kinds=_HANDLERS,
        handle=handle,
        handle_batch=handle_batch,
        relay=requeue_fanout_chunks,
    )
