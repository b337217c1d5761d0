"""Writes on dialogue: follows, comments and replies, editing and marking them helpful, and
locking a discussion."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cocreate import caching
from cocreate.errors import Conflict, ValidationError
from cocreate.permissions import require

from ..mentions import mention_links
from ..models import Challenge, Comment, CommentRevision, Contribution, Follow, ModerationState
from ..rendering import render_markdown
from .publishing import announce_comment, held_for_review, review_reason

S = Contribution.Status


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
    require(user, "knowledge.follow", target.community)
    lookup = {"contribution": contribution} if contribution else {"challenge": challenge}
    if following:
        Follow.objects.get_or_create(user=user, **lookup)
    else:
        Follow.objects.filter(user=user, **lookup).delete()
    return following


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
    require(author, "knowledge.contribute", community)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write something first.")})
    if len(body) > 10000:
        raise ValidationError({"body": _("Keep comments under 10,000 characters.")})
    if official:
        require(author, "knowledge.respond_officially", community)
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
        elif challenge is not None:
            locked_challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
            if locked_challenge.is_locked or locked_challenge.phase in (
                Challenge.Phase.CLOSED,
                Challenge.Phase.DRAFT,
            ):
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
        held = held_for_review(author, community)
        comment = Comment.objects.create(
            contribution=contribution,
            challenge=challenge,
            parent=parent,
            author=author,
            body=body,
            body_html=render_markdown(body, mentions=mention_links(body, community=community)),
            is_official=official,
            moderation_state=ModerationState.PENDING if held else ModerationState.VISIBLE,
            moderation_reason=review_reason() if held else "",
            first_approval_pending=held,
        )
        if not held:
            announce_comment(comment, community=community, target=target)
    return comment


@transaction.atomic
def comment_edit(*, editor: User, comment: Comment, body: str) -> Comment:
    """The author edits a comment; the previous text is kept."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    require(editor, "knowledge.edit_comment", comment)  # its author, still taking part
    target = comment.target
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write something first.")})
    if target.is_locked:
        raise Conflict(_("This discussion is locked."), "locked")
    CommentRevision.objects.create(comment=comment, body=comment.body)
    comment.body = body
    comment.body_html = render_markdown(
        body, mentions=mention_links(body, community=target.community)
    )
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
    require(actor, "knowledge.mark_helpful", comment)
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
    if target is None:
        raise TypeError("discussion_set_locked takes a contribution or a challenge")
    require(actor, "knowledge.lock_discussion", target.community)
    type(target).objects.filter(pk=target.pk).update(is_locked=locked)
    target.is_locked = locked
    caching.changed(target, fields=["is_locked"])
