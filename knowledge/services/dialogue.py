"""Writes on dialogue: follows, comments and replies, editing and marking them helpful, and
locking a discussion. Each takes the ``Discussion`` (a contribution's or a challenge's
``discussion``); what differs between the two owners is said once, in ``_closed``."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cocreate import caching
from cocreate.errors import Conflict, ValidationError
from cocreate.permissions import require
from communities.models import Community

from ..mentions import mention_links
from ..models import (
    COMMENT_OWNER,
    Challenge,
    Comment,
    CommentRevision,
    Contribution,
    Discussion,
    Follow,
    ModerationState,
)
from ..rendering import render_markdown
from .publishing import (
    announce_comment,
    approved_posts_follow,
    held_for_review,
    review_reason,
)

S = Contribution.Status


def discussion_open(*, community: Community) -> Discussion:
    """A new, open discussion for a contribution or challenge about to be created in
    ``community`` (call in the transaction that creates its owner)."""
    return Discussion.objects.create(community=community)


def _closed(owner: Contribution | Challenge) -> Conflict | None:
    """Why the owner's discussion takes no new comment now (``owner`` freshly read, with its
    discussion), or None when it does: a challenge's while it is a draft or closed, a
    contribution's while it is a draft or hidden or held; either while it is locked."""
    if isinstance(owner, Challenge):
        if owner.discussion.is_locked or owner.phase in (
            Challenge.Phase.CLOSED,
            Challenge.Phase.DRAFT,
        ):
            return Conflict(_("This challenge is closed for discussion."), "closed")
        return None
    if owner.status == S.DRAFT:
        return Conflict(_("Drafts cannot be discussed yet."), "draft")
    if owner.discussion.is_locked:
        return Conflict(_("This discussion is locked."), "locked")
    if owner.moderation_state != ModerationState.VISIBLE:
        return Conflict(
            _("This contribution is hidden or waiting for review; it cannot be discussed."),
            "moderated",
        )
    return None


@transaction.atomic
def follow_set(*, user: User, discussion: Discussion, following: bool) -> bool:
    """Follow or unfollow a discussion (a contribution's or a challenge's); returns the new
    state."""
    require(user, "knowledge.follow", discussion.owner.community)
    if following:
        Follow.objects.get_or_create(user=user, discussion=discussion)
    else:
        Follow.objects.filter(user=user, discussion=discussion).delete()
    return following


def comment_create(
    *,
    author: User,
    body: str,
    discussion: Discussion | None = None,
    parent: Comment | None = None,
    official: bool = False,
) -> Comment:
    """Comment in a discussion, or reply to a comment (one level of replies: a reply to a
    reply joins the same thread). ``discussion`` may be left out for a reply (the parent's is
    taken); given, the parent must be in it.

    Refused on locked or closed discussions, on drafts and on hidden or held contributions and
    comments. ``official`` marks a staff reply as the firm's official response. Records reply,
    mention and official-response events; a pre-moderated author's comment starts ``pending``
    and is neither counted nor announced until a moderator approves it.
    """
    if parent is not None:
        if discussion is not None and parent.discussion_id != discussion.pk:
            raise ValidationError({"parent": _("Reply to a comment in this discussion.")})
        discussion = discussion or parent.discussion
        if parent.parent_id is not None:
            parent = parent.parent  # replies to replies join the same thread
    if discussion is None:
        raise ValidationError(_("Comment on one contribution or one challenge."))
    owner = discussion.owner
    community = owner.community
    require(author, "knowledge.contribute", community)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write something first.")})
    if len(body) > 10000:
        raise ValidationError({"body": _("Keep comments under 10,000 characters.")})
    if official:
        require(author, "knowledge.respond_officially", community)
    with transaction.atomic():
        # The owner and its discussion, read fresh and locked against a concurrent lock,
        # hide or phase change.
        fresh = (
            type(owner)
            .objects.select_related("discussion")
            .select_for_update(of=("self", "discussion"))
            .get(pk=owner.pk)
        )
        refused = _closed(fresh)
        if refused is not None:
            raise refused
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
            discussion=discussion,
            parent=parent,
            author=author,
            body=body,
            body_html=render_markdown(body, mentions=mention_links(body, community=community)),
            is_official=official,
            moderation_state=ModerationState.PENDING if held else ModerationState.VISIBLE,
            moderation_reason=review_reason() if held else "",
            first_approval_pending=held,
        )
        approved_posts_follow(comment, counted_before=False)
        if not held:
            announce_comment(comment, owner=owner)
    return comment


@transaction.atomic
def comment_edit(*, editor: User, comment: Comment, body: str) -> Comment:
    """The author edits a comment; the previous text is kept."""
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related(*COMMENT_OWNER)
        .get(pk=comment.pk)
    )
    require(editor, "knowledge.edit_comment", comment)  # its author, still taking part
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write something first.")})
    if comment.discussion.is_locked:
        raise Conflict(_("This discussion is locked."), "locked")
    CommentRevision.objects.create(comment=comment, body=comment.body)
    comment.body = body
    comment.body_html = render_markdown(
        body, mentions=mention_links(body, community=comment.discussion.community)
    )
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "body_html", "edited_at"])
    return comment


@transaction.atomic
def comment_mark_helpful(*, actor: User, comment: Comment, helpful: bool) -> Comment:
    """The contribution's author or staff mark a comment helpful (or unmark it)."""
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related(*COMMENT_OWNER)
        .get(pk=comment.pk)
    )
    require(actor, "knowledge.mark_helpful", comment)
    comment.is_helpful = helpful
    comment.save(update_fields=["is_helpful"])
    return comment


@transaction.atomic
def discussion_set_locked(*, actor: User, discussion: Discussion, locked: bool) -> None:
    """Lock a discussion (no new comments, no edits) or open it again (staff)."""
    require(actor, "knowledge.lock_discussion", discussion.owner.community)
    Discussion.objects.filter(pk=discussion.pk).update(is_locked=locked)
    discussion.is_locked = locked
    caching.changed(discussion, fields=["is_locked"])
