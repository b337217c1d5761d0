"""Consumers for the foundation's events: emails that must reach people outside the site."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from .models import OutboxEvent
from .registry import consumes


@consumes("invitation.created")
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
    """Turn an event into notifications: directly for named recipients, in batches (one task
    per 1,000 members, started after commit) for the whole community."""
    from django.db import transaction

    from .services import notify
    from .topics import FANOUT, ROUTES

    route = ROUTES[event.kind]
    recipients = route.recipients(event)
    if recipients == FANOUT:
        event_id = event.pk
        transaction.on_commit(lambda: _start_fanout(event_id))
        return
    notify(
        event=event,
        topic=route.topic,
        recipient_ids=list(recipients),
        text=route.text(event),
        url=route.url(event),
    )


def _start_fanout(event_id: int) -> None:
    from .tasks import fanout

    fanout.delay(event_id, 0)


def _register_routes() -> None:
    from .topics import ROUTES

    consumes(*ROUTES)(_route_event)


_register_routes()
