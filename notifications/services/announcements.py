"""Announcements: a manager's message to every member of a community (a fanned-out event)."""

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from cocreate.errors import ValidationError
from cocreate.permissions import require
from events.services import event_record
from knowledge.rendering import render_markdown

from ..models import Announcement

if TYPE_CHECKING:
    from communities.models import Community


@transaction.atomic
def announcement_create(
    *, actor: User, community: "Community", title: str, body: str
) -> Announcement:
    """A manager tells every member something; delivered in batches by the workers."""
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
