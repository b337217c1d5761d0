"""Every write on knowledge: toolkits, challenges, contributions and their lifecycle, dialogue,
supports, follows and evaluations.

Each function checks permission (knowledge/rules.py), writes in one transaction, keeps the
denormalised counters exact with row locks and F() updates, and records domain events
(``notifications.services.event_record``) for what contributors and followers must hear.
"""

import re
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

import rules
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import normalize_tags
from cocreate.errors import Conflict, PermissionDenied, ValidationError
from communities.models import Community, Membership
from notifications.services import event_record

from . import scopes
from .models import (
    Challenge,
    Comment,
    CommentRevision,
    Contribution,
    ContributionRevision,
    ContributionTag,
    Evaluation,
    Follow,
    Kind,
    ModerationState,
    Scorecard,
    StatusChange,
    Support,
    Toolkit,
    ToolkitVersion,
)
from .rendering import render_markdown
from .toolkit_fields import clean_answers, clean_field_definitions

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


def _require(user, perm: str, obj, message: str) -> None:
    # rules.has_perm, not user.has_perm: Django's superuser shortcut would let a platform admin
    # contribute or edit others' work, which the role table in rules.py does not allow.
    if not rules.has_perm(perm, user, obj):
        raise PermissionDenied(message)


def _update_search_vector(contribution_id: int) -> None:
    if connection.vendor != "postgresql":
        return
    from django.contrib.postgres.search import SearchVector

    Contribution.objects.filter(pk=contribution_id).update(
        search_vector=SearchVector("title", weight="A", config="english")
        + SearchVector("body", weight="B", config="english")
    )


def _store_tags(contribution: Contribution) -> None:
    """Mirror the contribution's tag list into indexed rows."""
    ContributionTag.objects.filter(contribution=contribution).delete()
    ContributionTag.objects.bulk_create(
        ContributionTag(
            contribution=contribution, community_id_copy=contribution.community_id, tag=tag
        )
        for tag in contribution.tags
    )


def _held_for_review(author: User, community: Community) -> bool:
    """Whether a new post by ``author`` waits for a moderator (pre-moderation of new members)."""
    # Imported here: moderation imports the knowledge models at module import.
    from moderation.trust import is_established, settings_for

    return settings_for(community).premoderate_new_members and not is_established(author, community)


def _review_reason() -> str:
    return _("Waiting for a moderator's review: new members' posts are checked first.")


def _clean_tags(tags: list[str] | str) -> list[str]:
    cleaned = normalize_tags(tags)
    if len(cleaned) > MAX_TAGS:
        raise ValidationError({"tags": _("Use at most 10 tags.")})
    return cleaned


# --- Toolkits -----------------------------------------------------------------------------------


@transaction.atomic
def toolkit_create(
    *,
    actor: User,
    community: Community,
    title: str,
    kind: str = Kind.IDEA,
    custom_kind: str = "",
    guidance: str = "",
    fields: list | None = None,
) -> Toolkit:
    """Create a toolkit with its first version. Managers only."""
    _require(actor, "knowledge.manage", community, _("Only managers can design toolkits."))
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Choose a kind.")})
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the toolkit a title.")})
    definitions = clean_field_definitions(fields or [])
    toolkit = Toolkit.objects.create(
        community=community, kind=kind, custom_kind=custom_kind.strip()[:40], created_by=actor
    )
    version = ToolkitVersion.objects.create(
        toolkit=toolkit,
        number=1,
        title=title[:120],
        guidance=guidance.strip(),
        fields=definitions,
        created_by=actor,
    )
    toolkit.current_version = version
    toolkit.save(update_fields=["current_version"])
    return toolkit


@transaction.atomic
def toolkit_revise(
    *, actor: User, toolkit: Toolkit, title: str, guidance: str, fields: list
) -> ToolkitVersion:
    """Add a new version; contributions already written keep the version they used."""
    toolkit = Toolkit.objects.select_for_update().select_related("community").get(pk=toolkit.pk)
    _require(actor, "knowledge.manage", toolkit.community, _("Only managers can edit toolkits."))
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the toolkit a title.")})
    number = (toolkit.versions.order_by("-number").values_list("number", flat=True).first()) or 0
    version = ToolkitVersion.objects.create(
        toolkit=toolkit,
        number=number + 1,
        title=title[:120],
        guidance=guidance.strip(),
        fields=clean_field_definitions(fields),
        created_by=actor,
    )
    toolkit.current_version = version
    toolkit.save(update_fields=["current_version"])
    return version


@transaction.atomic
def toolkit_set_active(*, actor: User, toolkit: Toolkit, active: bool) -> Toolkit:
    _require(actor, "knowledge.manage", toolkit.community, _("Only managers can edit toolkits."))
    Toolkit.objects.filter(pk=toolkit.pk).update(is_active=active)
    toolkit.is_active = active
    scopes.changed(toolkit)
    return toolkit


# --- Challenges ---------------------------------------------------------------------------------


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
    _require(actor, "knowledge.manage", community, _("Only managers can pose challenges."))
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("Give the challenge a title.")
    if not (brief or "").strip():
        errors["brief"] = _("Describe the problem you want help with.")
    if phase not in Challenge.Phase.values:
        errors["phase"] = _("Choose a phase.")
    if deadline is not None and deadline <= timezone.now() and phase == Challenge.Phase.OPEN:
        errors["deadline"] = _("The deadline must be in the future.")
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
    _require(actor, "knowledge.manage", challenge.community, _("Only managers can do this."))
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


# --- Contributions ------------------------------------------------------------------------------


def contribution_create(
    *,
    author: User,
    community: Community,
    toolkit: Toolkit,
    title: str,
    body: str = "",
    fields: dict | None = None,
    tags: list[str] | str = (),
    challenge: Challenge | None = None,
    submit: bool = True,
) -> Contribution:
    """Write a contribution through a toolkit, as a draft or submitted straight away.

    On submit every required toolkit field must be answered and an attached challenge must be
    open with its deadline ahead. Nothing is written when anything is invalid.
    """
    _require(author, "knowledge.contribute", community, _("Only members can contribute."))
    if toolkit.community_id != community.pk or not toolkit.is_active:
        raise ValidationError({"toolkit": _("Choose one of this community's toolkits.")})
    version = toolkit.current_version
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
        )
        Follow.objects.get_or_create(user=author, contribution=contribution)
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
    held = _held_for_review(author, contribution.community)
    now = timezone.now()
    contribution.status = S.SUBMITTED
    contribution.submitted_at = now
    contribution.last_activity_at = now
    fields = ["status", "submitted_at", "last_activity_at", "updated_at"]
    if held:
        contribution.moderation_state = ModerationState.PENDING
        contribution.moderation_reason = _review_reason()
        contribution.first_approval_pending = True
        fields += ["moderation_state", "moderation_reason", "first_approval_pending"]
    contribution.save(update_fields=fields)
    StatusChange.objects.create(
        contribution=contribution, actor=author, from_status=S.DRAFT, to_status=S.SUBMITTED
    )
    if not held:
        _announce_contribution(contribution)


def _announce_contribution(contribution: Contribution) -> None:
    """What publishing a contribution tells and counts: its challenge's counter and the
    ``contribution.submitted`` event. Runs once per contribution: at submit, or at its first
    approval when it was held for review."""
    if contribution.challenge_id is not None:
        Challenge.objects.filter(pk=contribution.challenge_id).update(
            contribution_count=F("contribution_count") + 1
        )
        scopes.changed(contribution)
    event_record(
        kind="contribution.submitted",
        payload={"contribution_id": contribution.pk, "title": contribution.title},
        actor=contribution.author,
        community_id=contribution.community_id,
    )


@transaction.atomic
def contribution_submit(*, author: User, contribution: Contribution) -> Contribution:
    """Submit a draft: required fields are checked against the version it was written with."""
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    _require(author, "knowledge.edit_contribution", contribution, _("You cannot submit this."))
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
    _require(
        editor,
        "knowledge.edit_contribution",
        contribution,
        _("Only the author can edit this contribution, and only before it is decided."),
    )
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
    _require(
        actor, "knowledge.staff", contribution.community, _("Only staff can change the status.")
    )
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


# --- Supports and follows -----------------------------------------------------------------------


@transaction.atomic
def support_add(*, user: User, contribution: Contribution) -> bool:
    """Support a contribution once. Returns False if already supported. The counter is exact:
    the contribution row is locked before the support row is written."""
    locked = Contribution.objects.select_for_update().get(pk=contribution.pk)
    _require(user, "knowledge.contribute", locked.community, _("Only members can support."))
    if locked.status == S.DRAFT:
        raise Conflict(_("Drafts cannot be supported."), "draft")
    if locked.moderation_state != ModerationState.VISIBLE:
        raise Conflict(
            _("This contribution is hidden or waiting for review; it cannot be supported."),
            "moderated",
        )
    if Support.objects.filter(contribution=locked, user=user).exists():
        return False
    Support.objects.create(contribution=locked, user=user)
    Contribution.objects.filter(pk=locked.pk).update(support_count=F("support_count") + 1)
    scopes.changed(locked, user.pk)
    return True


@transaction.atomic
def support_remove(*, user: User, contribution: Contribution) -> bool:
    """Withdraw a support. Returns False if there was none."""
    locked = Contribution.objects.select_for_update().get(pk=contribution.pk)
    deleted, _info = Support.objects.filter(contribution=locked, user=user).delete()
    if deleted:
        Contribution.objects.filter(pk=locked.pk).update(support_count=F("support_count") - 1)
        scopes.changed(locked, user.pk)
    return bool(deleted)


@transaction.atomic
def follow_set(
    *,
    user: User,
    following: bool,
    contribution: Contribution | None = None,
    challenge: Challenge | None = None,
) -> bool:
    """Follow or unfollow a contribution or a challenge; returns the new state."""
    target = contribution or challenge
    if target is None or (contribution is not None and challenge is not None):
        raise ValidationError(_("Follow one contribution or one challenge."))
    _require(user, "knowledge.view_knowledge", target.community, _("Only members can follow."))
    lookup = {"contribution": contribution} if contribution else {"challenge": challenge}
    if following:
        Follow.objects.get_or_create(user=user, **lookup)
    else:
        Follow.objects.filter(user=user, **lookup).delete()
    return following


# --- Dialogue -----------------------------------------------------------------------------------

MENTION_RE = re.compile(r"(?<![\w@])@([a-z0-9_]{2,30})\b")


def _mentioned_members(body: str, community: Community, author: User) -> list[int]:
    handles = set(MENTION_RE.findall(body.lower()))
    if not handles:
        return []
    return list(
        Membership.objects.filter(
            community=community,
            status=Membership.Status.ACTIVE,
            user__handle__in=handles,
        )
        .exclude(user=author)
        .values_list("user_id", flat=True)[:20]
    )


def comment_create(
    *,
    author: User,
    body: str,
    contribution: Contribution | None = None,
    challenge: Challenge | None = None,
    parent: Comment | None = None,
    official: bool = False,
) -> Comment:
    """Comment on a contribution or challenge, or reply to a comment (one level of replies).

    Refused on locked or closed targets, on drafts and on hidden or held contributions and
    comments. ``official`` marks a staff reply as the firm's official response. Records reply,
    mention and official-response events; a pre-moderated author's comment starts ``pending``
    and is neither counted nor announced until a moderator approves it.
    """
    if parent is not None:
        contribution, challenge = parent.contribution, parent.challenge
        if parent.parent_id is not None:
            parent = parent.parent  # replies to replies join the same thread
    target = contribution or challenge
    if target is None or (contribution is not None and challenge is not None):
        raise ValidationError(_("Comment on one contribution or one challenge."))
    community = target.community
    _require(author, "knowledge.contribute", community, _("Only members can comment."))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write something first.")})
    if len(body) > 10000:
        raise ValidationError({"body": _("Keep comments under 10,000 characters.")})
    if official and not author.has_perm("knowledge.staff", community):
        raise PermissionDenied(_("Only staff can give an official response."))
    with transaction.atomic():
        if contribution is not None:
            locked = Contribution.objects.select_for_update().get(pk=contribution.pk)
            if locked.status == S.DRAFT:
                raise Conflict(_("Drafts cannot be discussed yet."), "draft")
            if locked.is_locked:
                raise Conflict(_("This discussion is locked."), "locked")
            if locked.moderation_state != ModerationState.VISIBLE:
                raise Conflict(
                    _("This contribution is hidden or waiting for review; it cannot be discussed."),
                    "moderated",
                )
        else:
            locked = Challenge.objects.select_for_update().get(pk=challenge.pk)
            if locked.is_locked or locked.phase in (Challenge.Phase.CLOSED, Challenge.Phase.DRAFT):
                raise Conflict(_("This challenge is closed for discussion."), "closed")
        if parent is not None:
            parent_state = (
                Comment.objects.filter(pk=parent.pk)
                .values_list("moderation_state", flat=True)
                .first()
            )
            if parent_state != ModerationState.VISIBLE:
                raise Conflict(
                    _("This comment is hidden or waiting for review; it cannot be answered."),
                    "moderated",
                )
        held = _held_for_review(author, community)
        comment = Comment.objects.create(
            contribution=contribution,
            challenge=challenge,
            parent=parent,
            author=author,
            body=body,
            body_html=render_markdown(body),
            is_official=official,
            moderation_state=ModerationState.PENDING if held else ModerationState.VISIBLE,
            moderation_reason=_review_reason() if held else "",
            first_approval_pending=held,
        )
        if not held:
            _announce_comment(comment, community=community, target=contribution or challenge)
    return comment


def _announce_comment(comment: Comment, *, community: Community, target) -> None:
    """What publishing a comment counts and tells: the target's (and parent's) counters, and
    the reply, commented, official-response and mention events. Runs once per comment: when it
    is posted, or at its first approval when it was held for review. Call in the transaction
    that wrote the comment or approved it."""
    author = comment.author
    contribution = target if isinstance(target, Contribution) else None
    type(target).objects.filter(pk=target.pk).update(
        comment_count=F("comment_count") + 1,
        **({"last_activity_at": timezone.now()} if contribution is not None else {}),
    )
    scopes.changed(target)
    parent_author_id = None
    if comment.parent_id is not None:
        Comment.objects.filter(pk=comment.parent_id).update(reply_count=F("reply_count") + 1)
        parent_author_id = (
            Comment.objects.filter(pk=comment.parent_id).values_list("author_id", flat=True).first()
        )
    payload = {
        "comment_id": comment.pk,
        "contribution_id": comment.contribution_id,
        "challenge_id": comment.challenge_id,
    }
    if parent_author_id is not None and parent_author_id != author.pk:
        event_record(
            kind="comment.reply",
            payload={**payload, "recipient_id": parent_author_id},
            actor=author,
            community_id=community.pk,
        )
    if contribution is not None and contribution.author_id != author.pk:
        event_record(
            kind="contribution.commented",
            payload={**payload, "recipient_id": contribution.author_id},
            actor=author,
            community_id=community.pk,
        )
    if comment.is_official:
        event_record(
            kind="comment.official_response",
            payload=payload,
            actor=author,
            community_id=community.pk,
        )
    for user_id in _mentioned_members(comment.body, community, author):
        event_record(
            kind="comment.mention",
            payload={**payload, "recipient_id": user_id},
            actor=author,
            community_id=community.pk,
        )


@transaction.atomic
def comment_edit(*, editor: User, comment: Comment, body: str) -> Comment:
    """The author edits a comment; the previous text is kept."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.author_id != editor.pk:
        raise PermissionDenied(_("Only the author can edit a comment."))
    target = comment.contribution or comment.challenge
    _require(editor, "knowledge.contribute", target.community, _("Only members can edit."))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write something first.")})
    if target.is_locked:
        raise Conflict(_("This discussion is locked."), "locked")
    CommentRevision.objects.create(comment=comment, body=comment.body)
    comment.body = body
    comment.body_html = render_markdown(body)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "body_html", "edited_at"])
    return comment


@transaction.atomic
def comment_mark_helpful(*, actor: User, comment: Comment, helpful: bool) -> Comment:
    """The contribution's author or staff mark a comment helpful (or unmark it)."""
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("contribution")
        .get(pk=comment.pk)
    )
    target = comment.contribution or comment.challenge
    is_owner = comment.contribution is not None and comment.contribution.author_id == actor.pk
    if not (is_owner or actor.has_perm("knowledge.staff", target.community)):
        raise PermissionDenied(_("Only the author of the contribution or staff can do this."))
    comment.is_helpful = helpful
    comment.save(update_fields=["is_helpful"])
    return comment


@transaction.atomic
def discussion_set_locked(
    *,
    actor: User,
    locked: bool,
    contribution: Contribution | None = None,
    challenge: Challenge | None = None,
) -> None:
    target = contribution or challenge
    _require(actor, "knowledge.staff", target.community, _("Only staff can lock discussions."))
    type(target).objects.filter(pk=target.pk).update(is_locked=locked)
    target.is_locked = locked
    scopes.changed(target)


# --- Evaluation ---------------------------------------------------------------------------------


@transaction.atomic
def scorecard_create(
    *,
    actor: User,
    community: Community,
    title: str,
    criteria: list,
    challenge: Challenge | None = None,
) -> Scorecard:
    """Define weighted criteria (each scored 1–5). Managers only."""
    _require(actor, "knowledge.manage", community, _("Only managers can define scorecards."))
    title = (title or "").strip()
    cleaned, errors = [], {}
    if not title:
        errors["title"] = _("Give the scorecard a title.")
    keys = set()
    for item in criteria if isinstance(criteria, list) else []:
        label = str(item.get("label", "")).strip()[:120] if isinstance(item, dict) else ""
        try:
            weight = int(item.get("weight", 1))
        except (TypeError, ValueError):
            weight = 0
        key = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:40]
        if not label or weight < 1 or weight > 100 or key in keys:
            errors["criteria"] = _("Each criterion needs a unique label and a weight of 1–100.")
            break
        keys.add(key)
        cleaned.append({"key": key, "label": label, "weight": weight})
    if not cleaned and "criteria" not in errors:
        errors["criteria"] = _("Add at least one criterion.")
    if challenge is not None and challenge.community_id != community.pk:
        errors["challenge"] = _("Choose a challenge of this community.")
    if errors:
        raise ValidationError(errors)
    return Scorecard.objects.create(
        community=community, challenge=challenge, title=title, criteria=cleaned, created_by=actor
    )


@transaction.atomic
def evaluation_submit(
    *,
    evaluator: User,
    contribution: Contribution,
    scorecard: Scorecard,
    scores: dict,
    note: str = "",
) -> Evaluation:
    """Score a contribution on every criterion (1–5); replaces this evaluator's earlier scores.
    The weighted score is the weight-averaged criterion score, rounded to two places."""
    _require(evaluator, "knowledge.staff", contribution.community, _("Only staff can evaluate."))
    if scorecard.community_id != contribution.community_id:
        raise ValidationError({"scorecard": _("Choose a scorecard of this community.")})
    if contribution.status == S.DRAFT:
        raise Conflict(_("Drafts cannot be evaluated."), "draft")
    cleaned, errors = {}, {}
    for criterion in scorecard.criteria:
        raw = (scores or {}).get(criterion["key"])
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = 0
        if not 1 <= value <= 5:
            errors[f"score_{criterion['key']}"] = _("Score from 1 to 5.")
        cleaned[criterion["key"]] = value
    if errors:
        raise ValidationError(errors)
    total_weight = sum(c["weight"] for c in scorecard.criteria)
    weighted = Decimal(sum(cleaned[c["key"]] * c["weight"] for c in scorecard.criteria)) / Decimal(
        total_weight
    )
    weighted = weighted.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    evaluation, _created = Evaluation.objects.update_or_create(
        contribution=contribution,
        scorecard=scorecard,
        evaluator=evaluator,
        defaults={"scores": cleaned, "weighted_score": weighted, "note": note.strip()},
    )
    return evaluation


# --- Moderation hooks (called by moderation.services, which checks permission and logs) ---------


@transaction.atomic
def content_set_moderation_state(
    *,
    state: str,
    reason: str,
    contribution: Contribution | None = None,
    comment: Comment | None = None,
) -> None:
    """Set a contribution's or comment's moderation state (visible / pending / hidden) with the
    reason its author sees. Expects the caller to have checked the moderator's permission.

    The first time a post held for review becomes visible, what publishing it would have done
    happens now (counters, notifications); a post that is only ever hidden is never announced.
    """
    if state not in ModerationState.values:
        raise ValidationError({"state": _("Unknown moderation state.")})
    target = contribution if contribution is not None else comment
    if target is None:
        raise ValidationError(_("Moderate one contribution or one comment."))
    model = type(target)
    locked = model.objects.select_for_update(of=("self",)).get(pk=target.pk)
    # A held post that becomes visible for the first time is published now: counted, and its
    # deferred events (new contribution, reply, mention, ...) recorded. Hidden posts never are.
    announce = state == ModerationState.VISIBLE and locked.first_approval_pending
    changes = {"moderation_state": state, "moderation_reason": reason}
    if announce:
        changes["first_approval_pending"] = False
    model.objects.filter(pk=target.pk).update(**changes)
    for name, value in changes.items():
        setattr(target, name, value)
    scopes.changed(target)
    if not announce:
        return
    if isinstance(locked, Contribution):
        _announce_contribution(locked)
    else:
        parent = locked.contribution if locked.contribution_id else locked.challenge
        _announce_comment(locked, community=parent.community, target=parent)
