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
