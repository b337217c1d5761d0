"""Writes on contributions: writing, submitting and editing them, their lifecycle (staff
moves with reasons) and supports."""

from collections.abc import Sequence

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import normalize_tags
from cocreate import caching
from cocreate.errors import Conflict, ValidationError
from cocreate.permissions import require
from communities.models import Community
from events.services import event_record

from ..models import (
    Challenge,
    Contribution,
    ContributionRevision,
    ContributionTag,
    Follow,
    ModerationState,
    StatusChange,
    Support,
    Toolkit,
)
from ..rendering import render_markdown
from ..toolkit_fields import clean_answers
from .dialogue import discussion_open
from .publishing import (
    announce_contribution,
    approved_posts_follow,
    held_for_review,
    review_reason,
)

S = Contribution.Status
MAX_TAGS = 10

# Which status a contribution may move to from each status (staff moves).
TRANSITIONS: dict[str, set[str]] = {
    S.SUBMITTED: {S.UNDER_REVIEW, S.ACCEPTED, S.DECLINED, S.DUPLICATE, S.MERGED},
    S.UNDER_REVIEW: {S.ACCEPTED, S.DECLINED, S.DUPLICATE, S.MERGED, S.SUBMITTED},
    S.ACCEPTED: {S.IN_DEVELOPMENT, S.DECLINED, S.UNDER_REVIEW},
    S.IN_DEVELOPMENT: {S.SHIPPED, S.ACCEPTED},
    S.SHIPPED: set(),
    S.DECLINED: {S.UNDER_REVIEW},
    S.DUPLICATE: {S.UNDER_REVIEW},
    S.MERGED: {S.UNDER_REVIEW},
}
NEEDS_ORIGINAL = {S.DUPLICATE, S.MERGED}


def _update_search_vector(contribution_id: int) -> None:
    if connection.vendor != "postgresql":
        return

    Contribution.objects.filter(pk=contribution_id).update(  # cache: no page shows the index
        search_vector=SearchVector("title", weight="A", config="english")
        + SearchVector("body", weight="B", config="english")
    )


def _store_tags(contribution: Contribution) -> None:
    """Mirror the contribution's tag list into indexed rows."""
    ContributionTag.objects.filter(contribution=contribution).delete()
    rows = [
        ContributionTag(
            contribution=contribution, community_id_copy=contribution.community_id, tag=tag
        )
        for tag in contribution.tags
    ]
    ContributionTag.objects.bulk_create(rows)
    caching.changed(rows)


def _clean_tags(tags: Sequence[str] | str) -> list[str]:
    cleaned = normalize_tags(tags)
    if len(cleaned) > MAX_TAGS:
        raise ValidationError({"tags": _("Use at most 10 tags.")})
    return cleaned


def contribution_create(
    *,
    author: User,
    community: Community,
    toolkit: Toolkit,
    title: str,
    body: str = "",
    fields: dict | None = None,
    tags: Sequence[str] | str = (),
    challenge: Challenge | None = None,
    submit: bool = True,
) -> Contribution:
    """Write a contribution through a toolkit, as a draft or submitted straight away.

    On submit every required toolkit field must be answered and an attached challenge must be
    open with its deadline ahead. Nothing is written when anything is invalid.
    """
    require(author, "knowledge.contribute", community)
    if toolkit.community_id != community.pk or not toolkit.is_active:
        raise ValidationError({"toolkit": _("Choose one of this community's toolkits.")})
    version = toolkit.current_version
    if version is None:  # toolkit_create always writes a first version
        raise ValidationError({"toolkit": _("Choose one of this community's toolkits.")})
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Give your contribution a title.")
    elif len(title) > 200:
        errors["title"] = _("Keep the title under 200 characters.")
    try:
        answers = clean_answers(version.fields, fields or {}, require=submit)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        answers = {}
    try:
        clean_tags = _clean_tags(tags)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        clean_tags = []
    if challenge is not None:
        if challenge.community_id != community.pk:
            errors["challenge"] = _("Choose a challenge of this community.")
        elif submit and not challenge.accepts_contributions():
            errors["challenge"] = _("This challenge is not open for contributions any more.")
        elif challenge.toolkits.exists() and not challenge.toolkits.filter(pk=toolkit.pk).exists():
            errors["toolkit"] = _("This challenge asks for contributions through other toolkits.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        contribution = Contribution.objects.create(
            community=community,
            toolkit_version=version,
            challenge=challenge,
            author=author,
            kind=toolkit.kind,
            title=title,
            body=body.strip(),
            body_html=render_markdown(body),
            fields=answers,
            tags=clean_tags,
            status=S.DRAFT,
            last_activity_at=now,
            discussion=discussion_open(community=community),
        )
        Follow.objects.create(user=author, discussion=contribution.discussion)
        _store_tags(contribution)
        if submit:
            _submit(contribution, author, challenge)
        _update_search_vector(contribution.pk)
    return contribution


def _submit(contribution: Contribution, author: User, challenge: Challenge | None) -> None:
    """Publish a draft, or hold it for review when its author is pre-moderated: then nobody is
    told and nothing is counted until a moderator approves it."""
    if challenge is not None:
        locked = Challenge.objects.select_for_update().get(pk=challenge.pk)
        if not locked.accepts_contributions():
            raise ValidationError(
                {"challenge": _("This challenge is not open for contributions any more.")}
            )
    held = held_for_review(author, contribution.community)
    now = timezone.now()
    contribution.status = S.SUBMITTED
    contribution.submitted_at = now
    contribution.last_activity_at = now
    fields = ["status", "submitted_at", "last_activity_at", "updated_at"]
    if held:
        contribution.moderation_state = ModerationState.PENDING
        contribution.moderation_reason = review_reason()
        contribution.first_approval_pending = True
        fields += ["moderation_state", "moderation_reason", "first_approval_pending"]
    contribution.save(update_fields=fields)
    approved_posts_follow(contribution, counted_before=False)  # a draft never counts
    StatusChange.objects.create(
        contribution=contribution, actor=author, from_status=S.DRAFT, to_status=S.SUBMITTED
    )
    if not held:
        announce_contribution(contribution)


@transaction.atomic
def contribution_submit(*, author: User, contribution: Contribution) -> Contribution:
    """Submit a draft: required fields are checked against the version it was written with."""
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    require(author, "knowledge.submit_contribution", contribution)
    if contribution.status != S.DRAFT:
        raise Conflict(_("This contribution has already been submitted."), "already_submitted")
    clean_answers(contribution.toolkit_version.fields, contribution.fields, require=True)
    _submit(contribution, author, contribution.challenge)
    return contribution


@transaction.atomic
def contribution_edit(
    *,
    editor: User,
    contribution: Contribution,
    title: str,
    body: str,
    fields: dict,
    tags: list[str] | str,
) -> Contribution:
    """The author edits; the previous text is kept as a revision."""
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    require(editor, "knowledge.edit_contribution", contribution)
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Give your contribution a title.")
    try:
        answers = clean_answers(
            contribution.toolkit_version.fields, fields, require=not contribution.is_draft
        )
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        answers = {}
    try:
        clean_tags = _clean_tags(tags)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        clean_tags = []
    if errors:
        raise ValidationError(errors)
    ContributionRevision.objects.create(
        contribution=contribution,
        editor=editor,
        title=contribution.title,
        body=contribution.body,
        fields=contribution.fields,
        tags=contribution.tags,
    )
    contribution.title = title[:200]
    contribution.body = body.strip()
    contribution.body_html = render_markdown(body)
    contribution.fields = answers
    contribution.tags = clean_tags
    contribution.save(update_fields=["title", "body", "body_html", "fields", "tags", "updated_at"])
    _store_tags(contribution)
    _update_search_vector(contribution.pk)
    return contribution


@transaction.atomic
def contribution_set_status(
    *,
    actor: User,
    contribution: Contribution,
    status: str,
    reason: str,
    related_to: Contribution | None = None,
) -> Contribution:
    """Move a contribution through its lifecycle, with a reason the author and followers see.

    Duplicate and merged need the original (``related_to``) in the same community.
    """
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    require(actor, "knowledge.move_status", contribution.community)
    if status not in S.values:
        raise ValidationError({"status": _("Choose a status.")})
    if contribution.moderation_state != ModerationState.VISIBLE:
        # Followers would hear about a contribution they cannot open.
        raise Conflict(
            _("A hidden or held contribution keeps its status until a moderator restores it."),
            "moderated",
        )
    if status not in TRANSITIONS.get(contribution.status, set()):
        raise Conflict(
            _("A contribution cannot move from %(a)s to %(b)s.")
            % {"a": contribution.get_status_display(), "b": S(status).label},
            "invalid_transition",
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Tell the contributor why.")})
    if status in NEEDS_ORIGINAL:
        if (
            related_to is None
            or related_to.pk == contribution.pk
            or related_to.community_id != contribution.community_id
        ):
            raise ValidationError({"related_to": _("Link the original contribution.")})
    else:
        related_to = None
    previous = contribution.status
    contribution.status = status
    contribution.related_to = related_to
    contribution.last_activity_at = timezone.now()
    contribution.save(update_fields=["status", "related_to", "last_activity_at", "updated_at"])
    StatusChange.objects.create(
        contribution=contribution,
        actor=actor,
        from_status=previous,
        to_status=status,
        reason=reason,
        related_to=related_to,
    )
    event_record(
        kind="contribution.status_changed",
        payload={
            "contribution_id": contribution.pk,
            "from": previous,
            "to": status,
            "reason": reason,
            "author_id": contribution.author_id,
        },
        actor=actor,
        community_id=contribution.community_id,
    )
    return contribution


@transaction.atomic
def support_add(*, user: User, contribution: Contribution) -> bool:
    """Support a contribution once. Returns False if already supported. The counter is exact:
    the contribution row is locked before the support row is written. Its author cannot
    support it (``PermissionDenied``): their own idea counts as theirs already."""
    locked = Contribution.objects.select_for_update().get(pk=contribution.pk)
    require(user, "knowledge.contribute", locked.community)
    if locked.status == S.DRAFT:
        raise Conflict(_("Drafts cannot be supported."), "draft")
    if locked.moderation_state != ModerationState.VISIBLE:
        raise Conflict(
            _("This contribution is hidden or waiting for review; it cannot be supported."),
            "moderated",
        )
    require(user, "knowledge.support_contribution", locked)
    if Support.objects.filter(contribution=locked, user=user).exists():
        return False
    Support.objects.create(contribution=locked, user=user)
    Contribution.objects.filter(pk=locked.pk).update(support_count=F("support_count") + 1)
    caching.changed(locked, fields=["support_count"])
    return True


@transaction.atomic
def support_remove(*, user: User, contribution: Contribution) -> bool:
    """Withdraw a support. Returns False if there was none."""
    locked = Contribution.objects.select_for_update().get(pk=contribution.pk)
    deleted, _info = Support.objects.filter(contribution=locked, user=user).delete()
    if deleted:
        Contribution.objects.filter(pk=locked.pk).update(support_count=F("support_count") - 1)
        caching.changed(locked, fields=["support_count"])
    return bool(deleted)
