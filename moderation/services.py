"""Every moderation write: flags, actions with reasons (each one a moderation log entry),
appeals and settings. Actions take effect at once: the next request sees the new state.

Every action records a ``moderation.action`` event for the member it concerns (with the
reason) and, when it settles flags, a ``flag.outcome`` event for the reporters (who are never
named to anyone else).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cocreate import caching
from cocreate.errors import Conflict, PermissionDenied, ValidationError
from cocreate.permissions import require
from communities import services as community_services
from communities.models import Community, Membership
from events.services import event_record
from knowledge import services as knowledge_services
from knowledge.models import COMMENT_OWNER, Comment, Contribution, ModerationState

from .models import (
    APPEALABLE,
    CONTENT_KINDS,
    Appeal,
    Flag,
    FlagReason,
    ModerationAction,
    ModerationSettings,
)
from .trust import is_established, settings_for

K = ModerationAction.Kind
MEMBER_KINDS = {K.WARN, K.SUSPEND, K.UNSUSPEND, K.BAN, K.UNBAN}
MAX_SUSPENSION = timedelta(days=365)
# What overturning an action on appeal does.
REVERSAL: dict[str, str] = {
    K.HIDE: K.RESTORE,
    K.LOCK: K.UNLOCK,
    K.SUSPEND: K.UNSUSPEND,
    K.BAN: K.UNBAN,
}


def _target(
    contribution: Contribution | None, comment: Comment | None
) -> tuple[Contribution | Comment, Community]:
    if contribution is not None and comment is None:
        return contribution, contribution.community
    if comment is not None and contribution is None:
        return comment, comment_community(comment)
    raise ValidationError(_("Choose one contribution or one comment."))


def comment_community(comment: Comment) -> Community:
    return comment.discussion.owner.community


@transaction.atomic
def flag_create(
    *,
    reporter: User,
    reason: str,
    note: str = "",
    contribution: Contribution | None = None,
    comment: Comment | None = None,
) -> Flag:
    """Flag content once. When established members' open flags reach the community's
    threshold, the content is hidden pending review (state ``pending``)."""
    target, community = _target(contribution, comment)
    require(reporter, "moderation.flag", community)  # flagging is for members, not admins
    if reason not in FlagReason.values:
        raise ValidationError({"reason": _("Choose a reason.")})
    note = (note or "").strip()
    if reason == FlagReason.OTHER and not note:
        raise ValidationError({"note": _("Tell the moderators what is wrong.")})
    if target.author_id == reporter.pk:
        raise Conflict(_("You cannot flag your own post."), "own_post")
    established = is_established(reporter, community)
    try:
        with transaction.atomic():
            flag = Flag.objects.create(
                community=community,
                reporter=reporter,
                contribution=contribution,
                comment=comment,
                reason=reason,
                note=note[:2000],
                reporter_established=established,
            )
    except IntegrityError as exc:
        raise Conflict(_("You have already flagged this."), "already_flagged") from exc
    lookup = {"contribution": contribution} if contribution is not None else {"comment": comment}
    weight = Flag.objects.filter(
        status=Flag.Status.OPEN, reporter_established=True, **lookup
    ).count()
    if (
        weight >= settings_for(community).flag_threshold
        and target.moderation_state == ModerationState.VISIBLE
    ):
        knowledge_services.content_set_moderation_state(
            state=ModerationState.PENDING,
            reason=_("Hidden pending review after reports from members."),
            **lookup,
        )
    return flag


def _settle_flags(*, lookup: dict, outcome: str, action: ModerationAction) -> None:
    flags = list(Flag.objects.select_for_update().filter(status=Flag.Status.OPEN, **lookup))
    if not flags:
        return
    Flag.objects.filter(pk__in=[f.pk for f in flags]).update(
        status=outcome, resolved_at=timezone.now()
    )
    caching.changed(flags, fields=["status", "resolved_at"])
    event_record(
        kind="flag.outcome",
        payload={
            "action_id": action.pk,
            "outcome": outcome,
            "reporter_ids": sorted({f.reporter_id for f in flags}),
            "reason": action.reason,
        },
        actor=action.actor,
        community_id=action.community_id,
    )


def moderation_act(
    *,
    actor: User,
    kind: str,
    reason: str,
    contribution: Contribution | None = None,
    comment: Comment | None = None,
    member: User | None = None,
    community: Community | None = None,
    duration: timedelta | None = None,
    reverses: ModerationAction | None = None,
) -> ModerationAction:
    """Take one moderation action with a required reason; it is logged and takes effect now.

    Content actions (hide, restore, approve, lock, unlock, dismiss_flags) take a contribution
    or comment; member actions (warn, suspend, unsuspend, ban, unban) take ``member`` and
    ``community``; suspend takes a ``duration`` (up to a year).
    """
    reason = (reason or "").strip()
    if kind not in K.values:
        raise ValidationError({"kind": _("Choose an action.")})
    if not reason:
        raise ValidationError({"reason": _("Give a reason: the member will see it.")})
    with transaction.atomic():
        if kind in CONTENT_KINDS:
            target, community = _target(contribution, comment)
            subject_id = target.author_id
        else:
            if member is None or community is None:
                raise ValidationError({"member": _("Choose the member.")})
            subject_id = member.pk
        require(actor, "moderation.moderate", community)
        if subject_id == actor.pk:
            raise Conflict(_("Moderators cannot act on their own posts or standing."), "self")
        until = None
        lookup: dict[str, Contribution | Comment | None] = {}
        if kind in CONTENT_KINDS:
            lookup = (
                {"contribution": contribution} if contribution is not None else {"comment": comment}
            )
            _apply_content(kind, reason, target, lookup, actor)
        elif member is not None:  # a member action names its member (checked above)
            until = _apply_member(kind, reason, member, community, actor, duration)
        action = ModerationAction.objects.create(
            community=community,
            actor=actor,
            kind=kind,
            reason=reason,
            contribution=contribution,
            comment=comment,
            subject_id=subject_id,
            until=until,
            reverses=reverses,
        )
        if kind in (K.HIDE,):
            _settle_flags(lookup=lookup, outcome=Flag.Status.UPHELD, action=action)
        elif kind in (K.RESTORE, K.DISMISS_FLAGS, K.APPROVE):
            _settle_flags(lookup=lookup, outcome=Flag.Status.DISMISSED, action=action)
        event_record(
            kind="moderation.action",
            payload={
                "action_id": action.pk,
                "kind": kind,
                "reason": reason,
                "recipient_id": subject_id,
                "contribution_id": contribution.pk if contribution else None,
                "comment_id": comment.pk if comment else None,
                "until": until.isoformat() if until else None,
            },
            actor=actor,
            community_id=community.pk,
        )
    return action


def _apply_content(
    kind: str,
    reason: str,
    target: Contribution | Comment,
    lookup: dict[str, Contribution | Comment | None],
    actor: User,
) -> None:
    contribution = target if isinstance(target, Contribution) else None
    comment = target if isinstance(target, Comment) else None
    if kind == K.HIDE:
        if target.moderation_state == ModerationState.HIDDEN:
            raise Conflict(_("This is already hidden."), "already_hidden")
        knowledge_services.content_set_moderation_state(
            state=ModerationState.HIDDEN, reason=reason, contribution=contribution, comment=comment
        )
    elif kind in (K.RESTORE, K.APPROVE):
        if target.moderation_state == ModerationState.VISIBLE:
            raise Conflict(_("This is already visible."), "already_visible")
        knowledge_services.content_set_moderation_state(
            state=ModerationState.VISIBLE, reason="", contribution=contribution, comment=comment
        )
    elif kind in (K.LOCK, K.UNLOCK):
        if not isinstance(target, Contribution):  # a comment
            raise ValidationError({"kind": _("Lock the contribution's discussion instead.")})
        if target.discussion.is_locked == (kind == K.LOCK):
            raise Conflict(
                _("The discussion is already locked.")
                if kind == K.LOCK
                else _("The discussion is not locked."),
                "not_applicable",
            )
        knowledge_services.discussion_set_locked(
            actor=actor, discussion=target.discussion, locked=kind == K.LOCK
        )
    elif (
        kind == K.DISMISS_FLAGS
        and not Flag.objects.filter(status=Flag.Status.OPEN, **lookup).exists()
    ):
        raise Conflict(_("There are no open flags to dismiss."), "no_open_flags")


def _apply_member(
    kind: str,
    reason: str,
    member: User,
    community: Community,
    actor: User,
    duration: timedelta | None,
) -> datetime | None:
    membership = Membership.objects.filter(community=community, user=member).first()
    if membership is None:
        raise ValidationError({"member": _("This person is not in the community.")})
    if kind == K.WARN:
        return None
    if kind == K.SUSPEND:
        if duration is None or duration <= timedelta(0) or duration > MAX_SUSPENSION:
            raise ValidationError({"duration": _("Suspend for between one hour and a year.")})
        until = timezone.now() + duration
        community_services.membership_set_standing(
            actor=actor, membership=membership, status="suspended", reason=reason, until=until
        )
        return until
    if kind == K.BAN:
        community_services.membership_set_standing(
            actor=actor, membership=membership, status="banned", reason=reason
        )
        return None
    # unsuspend / unban
    expected = "suspended" if kind == K.UNSUSPEND else "banned"
    if membership.status != expected:
        # One sentence per state: a status word interpolated into a sentence stays English.
        message = (
            _("This member is not suspended.")
            if expected == "suspended"
            else _("This member is not banned.")
        )
        raise Conflict(message, "not_applicable")
    community_services.membership_set_standing(
        actor=actor, membership=membership, status="active", reason=reason
    )
    return None


@transaction.atomic
def appeal_create(*, appellant: User, action: ModerationAction, text: str) -> Appeal:
    """The member an action concerns appeals it, once, with a text."""
    if action.subject_id != appellant.pk:
        raise PermissionDenied(_("Only the member concerned can appeal."))
    if action.kind not in APPEALABLE:
        raise Conflict(_("This action cannot be appealed."), "not_appealable")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Explain why the action should be reconsidered.")})
    if Appeal.objects.filter(action=action).exists():
        raise Conflict(_("You have already appealed this action."), "already_appealed")
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(action=action, appellant=appellant, text=text[:5000])
    except IntegrityError as exc:
        raise Conflict(_("You have already appealed this action."), "already_appealed") from exc
    event_record(
        kind="moderation.appeal_created",
        payload={"appeal_id": appeal.pk, "action_id": action.pk},
        actor=appellant,
        community_id=action.community_id,
    )
    return appeal


@transaction.atomic
def appeal_decide(*, actor: User, appeal: Appeal, overturn: bool, reason: str) -> Appeal:
    """A moderator other than the one who acted decides; overturning reverses the action
    (restore, unlock, lift suspension or ban) as a new, logged action."""
    appeal = Appeal.objects.select_for_update().select_related("action").get(pk=appeal.pk)
    action = appeal.action
    community = action.community
    require(actor, "moderation.decide_appeal", community)
    if actor.pk == action.actor_id:
        raise PermissionDenied(_("A different moderator must decide this appeal."))
    if appeal.status != Appeal.Status.OPEN:
        raise Conflict(_("This appeal has already been decided."), "already_decided")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason: the member will see it.")})
    if overturn and action.kind in REVERSAL:
        moderation_act(
            actor=actor,
            kind=REVERSAL[action.kind],
            reason=reason,
            contribution=action.contribution,
            comment=action.comment,
            member=action.subject if action.kind in MEMBER_KINDS else None,
            community=community,
            reverses=action,
        )
    appeal.status = Appeal.Status.OVERTURNED if overturn else Appeal.Status.UPHELD
    appeal.decided_by = actor
    appeal.decision_reason = reason
    appeal.decided_at = timezone.now()
    appeal.save(update_fields=["status", "decided_by", "decision_reason", "decided_at"])
    event_record(
        kind="moderation.appeal_decided",
        payload={
            "appeal_id": appeal.pk,
            "status": appeal.status,
            "reason": reason,
            "recipient_id": appeal.appellant_id,
        },
        actor=actor,
        community_id=community.pk,
    )
    return appeal


SETTINGS_FIELDS = (
    "flag_threshold",
    "established_after_posts",
    "established_after_days",
    "premoderate_new_members",
    "new_posts_per_minute",
    "new_replies_per_day",
    "new_links_per_post",
    "posts_per_minute",
)


@transaction.atomic
def settings_update(*, actor: User, community: Community, **changes: Any) -> ModerationSettings:
    require(actor, "moderation.configure", community)
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValidationError({f: _("Unknown setting.") for f in unknown})
    conf, _created = ModerationSettings.objects.select_for_update().get_or_create(
        community=community
    )
    for field, value in changes.items():
        setattr(conf, field, value)
    if conf.flag_threshold < 1:
        raise ValidationError({"flag_threshold": _("At least one flag.")})
    conf.save()
    community.__dict__.pop("_moderation_settings", None)
    return conf


# --- Bulk actions ---------------------------------------------------------------------------------

BULK_KINDS = (K.HIDE, K.RESTORE, K.DISMISS_FLAGS)
BULK_MAX_ITEMS = 100


@dataclass
class BulkOutcome:
    """What happened to one item of a bulk action: its own logged action, or why not."""

    type: str  # "contribution" or "comment"
    id: int
    ok: bool
    action: ModerationAction | None = None
    detail: str = ""
    code: str = ""


def moderation_bulk_act(
    *, actor: User, community: Community, kind: str, reason: str, items: list[tuple[str, int]]
) -> list[BulkOutcome]:
    """One action with one reason on several contributions and comments of ``community``.

    Each item gets its own logged action in its own transaction: an item that cannot take the
    action (already hidden, no open flags, not in this community, ...) is reported and left
    exactly as it was, and the others still go through. ``restore`` approves a post waiting in
    pre-moderation (pending without open flags) and restores anything else that is not visible.
    The permission and the reason are checked before any item is touched.
    """
    if kind not in BULK_KINDS:
        raise ValidationError({"kind": _("Choose hide, restore or dismiss flags.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give a reason: the member will see it.")})
    require(actor, "moderation.moderate", community)
    wanted: list[tuple[str, int]] = []
    for entry in items:
        if entry not in wanted:
            wanted.append(entry)
    if not wanted:
        raise ValidationError({"items": _("Select at least one item.")})
    if len(wanted) > BULK_MAX_ITEMS:
        raise ValidationError(
            {"items": _("Select at most %(n)s items at once.") % {"n": BULK_MAX_ITEMS}}
        )
    contributions = {
        c.pk: c
        for c in Contribution.objects.filter(
            community=community, pk__in=[pk for t, pk in wanted if t == "contribution"]
        )
        .exclude(status=Contribution.Status.DRAFT)
        .select_related("community", "discussion")
    }
    comments = {
        c.pk: c
        for c in Comment.objects.filter(pk__in=[pk for t, pk in wanted if t == "comment"])
        .filter(discussion__community=community)
        .select_related(*COMMENT_OWNER)
    }
    open_flagged = _open_flag_keys(contributions, comments)
    outcomes = []
    for type_, pk in wanted:
        target = (contributions if type_ == "contribution" else comments).get(pk)
        if target is None:
            outcomes.append(
                BulkOutcome(
                    type_, pk, False, detail=_("Not found in this community."), code="not_found"
                )
            )
            continue
        actual = kind
        if (
            kind == K.RESTORE
            and target.moderation_state == ModerationState.PENDING
            and (type_, pk) not in open_flagged
        ):
            actual = K.APPROVE
        try:
            action = moderation_act(
                actor=actor,
                kind=actual,
                reason=reason,
                contribution=target if isinstance(target, Contribution) else None,
                comment=target if isinstance(target, Comment) else None,
            )
        except (ValidationError, PermissionDenied, Conflict) as exc:
            outcomes.append(BulkOutcome(type_, pk, False, detail=error_text(exc), code=_code(exc)))
        else:
            outcomes.append(BulkOutcome(type_, pk, True, action=action))
    return outcomes


def _open_flag_keys(contributions: dict, comments: dict) -> set[tuple[str, int]]:
    rows = Flag.objects.filter(status=Flag.Status.OPEN).filter(
        Q(contribution_id__in=list(contributions)) | Q(comment_id__in=list(comments))
    )
    keys = set()
    for contribution_id, comment_id in rows.values_list("contribution_id", "comment_id"):
        keys.add(("contribution", contribution_id) if contribution_id else ("comment", comment_id))
    return keys


def error_text(exc: Exception) -> str:
    """A service error's message as one line, for a page message or a bulk result."""
    if isinstance(exc, Conflict):
        return exc.message
    if hasattr(exc, "message_dict"):
        return " ".join(m for msgs in exc.message_dict.values() for m in msgs)
    if hasattr(exc, "messages"):
        return " ".join(exc.messages)
    return str(exc)


def _code(exc: Exception) -> str:
    if isinstance(exc, Conflict):
        return exc.code
    if isinstance(exc, PermissionDenied):
        return "permission_denied"
    return "invalid"
