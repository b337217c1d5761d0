"""What publishing a post does, and when: new members' posts may first wait for a moderator
(pre-moderation); a contribution or comment is counted and announced exactly once, when it is
posted or, if it was held, at its first approval."""

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cocreate import caching
from communities.models import Community, Membership
from events.services import event_record

from ..mentions import mentioned_handles
from ..models import Challenge, Comment, Contribution


def held_for_review(author: User, community: Community) -> bool:
    """Whether a new post by ``author`` waits for a moderator (pre-moderation of new members)."""
    # Imported here: moderation imports the knowledge models at module import.
    from moderation.trust import is_established, settings_for

    return settings_for(community).premoderate_new_members and not is_established(author, community)


def review_reason() -> str:
    return _("Waiting for a moderator's review: new members' posts are checked first.")


def announce_contribution(contribution: Contribution) -> None:
    """What publishing a contribution tells and counts: its challenge's counter and the
    ``contribution.submitted`` event. Runs once per contribution: at submit, or at its first
    approval when it was held for review."""
    if contribution.challenge_id is not None:
        Challenge.objects.filter(pk=contribution.challenge_id).update(
            contribution_count=F("contribution_count") + 1
        )
        caching.changed(
            Challenge(pk=contribution.challenge_id, community_id=contribution.community_id),
            fields=["contribution_count"],
        )
    event_record(
        kind="contribution.submitted",
        payload={"contribution_id": contribution.pk, "title": contribution.title},
        actor=contribution.author,
        community_id=contribution.community_id,
    )


def _mentioned_members(body: str, community: Community, author: User) -> list[int]:
    handles = mentioned_handles(body)
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


def announce_comment(
    comment: Comment, *, community: Community, target: Contribution | Challenge
) -> None:
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
    caching.changed(target, fields=["comment_count", "last_activity_at"])
    parent_author_id = None
    if comment.parent_id is not None:
        Comment.objects.filter(pk=comment.parent_id).update(reply_count=F("reply_count") + 1)
        caching.changed(comment, fields=["reply_count"])  # the parent's thread: the same page
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
