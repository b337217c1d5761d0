"""Moderation hooks on knowledge, called by moderation.services, which checks permission and
logs."""

from django.db import transaction
from django.utils.translation import gettext as _

from cocreate import caching
from cocreate.errors import ValidationError

from ..models import COMMENT_OWNER, Comment, Contribution, ModerationState
from .publishing import (
    announce_comment,
    announce_contribution,
    approved_posts_follow,
    counts_as_approved,
)


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
    The author's approved posts (``Membership.approved_posts``) follow every change between
    visible and not.
    """
    if state not in ModerationState.values:
        raise ValidationError({"state": _("Unknown moderation state.")})
    target = contribution if contribution is not None else comment
    if target is None:
        raise ValidationError(_("Moderate one contribution or one comment."))
    model = type(target)
    rows = model.objects.select_for_update(of=("self",))
    if model is Comment:  # its discussion's owner, for announcing it
        rows = rows.select_related(*COMMENT_OWNER)
    locked = rows.get(pk=target.pk)
    # A held post that becomes visible for the first time is published now: counted, and its
    # deferred events (new contribution, reply, mention, ...) recorded. Hidden posts never are.
    announce = state == ModerationState.VISIBLE and locked.first_approval_pending
    changes: dict[str, str | bool] = {"moderation_state": state, "moderation_reason": reason}
    if announce:
        changes["first_approval_pending"] = False
    counted_before = counts_as_approved(locked)
    model.objects.filter(pk=target.pk).update(**changes)
    for name, value in changes.items():
        setattr(target, name, value)
        setattr(locked, name, value)
    approved_posts_follow(locked, counted_before=counted_before)
    caching.changed(target, fields=changes)
    if not announce:
        return
    if isinstance(locked, Contribution):
        announce_contribution(locked)
    else:
        announce_comment(locked, owner=locked.discussion.owner)
