"""Writes on challenges: posing them and moving them between their phases."""

from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cocreate.dates import displayable_date
from cocreate.errors import ValidationError
from cocreate.permissions import require
from communities.models import Community
from events.services import event_record

from ..models import Challenge, Toolkit
from ..rendering import render_markdown
from .dialogue import discussion_open


@transaction.atomic
def challenge_create(
    *,
    actor: User,
    community: Community,
    title: str,
    brief: str,
    wanted: str = "",
    toolkits: list[Toolkit] | None = None,
    deadline: datetime | None = None,
    phase: str = Challenge.Phase.DRAFT,
) -> Challenge:
    """Pose a challenge. Managers only. Toolkits must belong to the same community."""
    require(actor, "knowledge.pose_challenge", community)
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("Give the challenge a title.")
    if not (brief or "").strip():
        errors["brief"] = _("Describe the problem you want help with.")
    if phase not in Challenge.Phase.values:
        errors["phase"] = _("Choose a phase.")
    if deadline is not None and deadline <= timezone.now() and phase == Challenge.Phase.OPEN:
        errors["deadline"] = _("The deadline must be in the future.")
    try:
        displayable_date(deadline)
    except DjangoValidationError as refused:
        errors["deadline"] = refused.messages[0]
    toolkits = toolkits or []
    if any(t.community_id != community.pk for t in toolkits):
        errors["toolkits"] = _("Choose toolkits of this community.")
    if errors:
        raise ValidationError(errors)
    challenge = Challenge.objects.create(
        community=community,
        title=title.strip()[:160],
        brief=brief.strip(),
        brief_html=render_markdown(brief),
        wanted=wanted.strip()[:500],
        deadline=deadline,
        phase=phase,
        created_by=actor,
        discussion=discussion_open(community=community),
    )
    challenge.toolkits.set(toolkits)
    if phase == Challenge.Phase.OPEN:
        _challenge_opened(challenge, actor)
    return challenge


def _challenge_opened(challenge: Challenge, actor: User) -> None:
    event_record(
        kind="challenge.opened",
        payload={"challenge_id": challenge.pk, "title": challenge.title},
        actor=actor,
        community_id=challenge.community_id,
    )


@transaction.atomic
def challenge_set_phase(*, actor: User, challenge: Challenge, phase: str) -> Challenge:
    """Move a challenge between draft, open, evaluation and closed. Managers only."""
    challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
    require(actor, "knowledge.manage", challenge.community)
    if phase not in Challenge.Phase.values:
        raise ValidationError({"phase": _("Choose a phase.")})
    if (
        phase == Challenge.Phase.OPEN
        and challenge.deadline is not None
        and challenge.deadline <= timezone.now()
    ):
        raise ValidationError({"deadline": _("Move the deadline into the future first.")})
    was = challenge.phase
    challenge.phase = phase
    challenge.save(update_fields=["phase"])
    if phase == Challenge.Phase.OPEN and was == Challenge.Phase.DRAFT:
        _challenge_opened(challenge, actor)
    return challenge
