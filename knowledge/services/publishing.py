"""What publishing a post does, and when: new members' posts may first wait for a moderator
(pre-moderation); a contribution or comment is counted and announced exactly once, when it is
posted or, if it was held, at its first approval."""

from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cocreate import caching
from communities.models import Community, Membership
from events.services import event_record

from .. import gates
from ..mentions import mentioned_handles
from ..models import Challenge, Comment, Contribution, Discussion, ModerationState


def held_for_review(author: User, community: Community) -> bool:
    """Whether a new post by ``author`` waits for a moderator (pre-moderation of new members,
    which moderation decides: ``gates``)."""
    return gates.held_for_review(author=author, community=community)


def counts_as_approved(post: Contribution | Comment) -> bool:
    """Whether ``post`` counts among its author's approved posts in its community
    (``Membership.approved_posts``, which moderation's trust tiers read): a contribution past
    draft, or a comment on a contribution (not on a challenge), while it is visible."""
    if post.moderation_state != ModerationState.VISIBLE:
        return False
    if isinstance(post, Contribution):
        return post.status != Contribution.Status.DRAFT
    return _on_a_contribution(post)


def _on_a_contribution(comment: Comment) -> bool:
    """Whether ``comment`` is in a contribution's discussion (a challenge's does not count): no
    query when the discussion and its owner came loaded (``COMMENT_OWNER``), else one."""
    if Comment.discussion.is_cached(comment):
        owner = comment.discussion.loaded_owner()
        if owner is not None:
            return isinstance(owner, Contribution)
    return Contribution.objects.filter(discussion_id=comment.discussion_id).exists()


def approved_posts_follow(post: Contribution | Comment, *, counted_before: bool) -> None:
    """Keep the author's ``Membership.approved_posts`` exact after ``post`` was written:
    ``counted_before`` says whether it counted before the write (``counts_as_approved`` on the
    old state; ``False`` for a new post). One UPDATE when the answer changed, none otherwise.
    Call in the transaction that wrote the post, holding its row lock."""
    counted = counts_as_approved(post)
    if counted == counted_before:
        return
    if isinstance(post, Contribution):
        community_id: int | Subquery = post.community_id
    else:
        # Only comments in a contribution's discussion count; the discussion names the community.
        community_id = Subquery(
            Discussion.objects.filter(pk=post.discussion_id).values("community_id")
        )
    Membership.objects.filter(community_id=community_id, user_id=post.author_id).update(
        approved_posts=F("approved_posts") + (1 if counted else -1)  # cache: no page shows it
    )


def _per_member(posts: QuerySet) -> Coalesce:
    counted = posts.order_by().values("author_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def approved_posts_recount(*, community: Community) -> int:
    """Set every membership of ``community`` to its approved posts counted from the posts
    themselves (what ``approved_posts_follow`` keeps up one change at a time), for writes that
    bypass the services, such as the bench seed. Returns the number of memberships."""
    contributions = Contribution.objects.filter(
        community_id=OuterRef("community_id"),
        author_id=OuterRef("user_id"),
        moderation_state=ModerationState.VISIBLE,
    ).exclude(status=Contribution.Status.DRAFT)
    comments = Comment.objects.filter(
        discussion__contribution__community_id=OuterRef("community_id"),
        author_id=OuterRef("user_id"),
        moderation_state=ModerationState.VISIBLE,
    )
    return Membership.objects.filter(community=community).update(
        approved_posts=_per_member(contributions) + _per_member(comments)  # cache: not shown
    )


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


def announce_comment(comment: Comment, *, owner: Contribution | Challenge) -> None:
    """What publishing a comment counts and tells: the counters of its discussion's owner (and
    of its parent), and the reply, commented, official-response and mention events. Runs once
    per comment: when it is posted, or at its first approval when it was held for review.
    Call in the transaction that wrote the comment or approved it."""
    author = comment.author
    community = owner.community
    contribution = owner if isinstance(owner, Contribution) else None
    type(owner).objects.filter(pk=owner.pk).update(
        comment_count=F("comment_count") + 1,
        **({"last_activity_at": timezone.now()} if contribution is not None else {}),
    )
    caching.changed(owner, fields=["comment_count", "last_activity_at"])
    parent_author_id = None
    if comment.parent_id is not None:
        Comment.objects.filter(pk=comment.parent_id).update(reply_count=F("reply_count") + 1)
        caching.changed(comment, fields=["reply_count"])  # the parent's thread: the same page
        parent_author_id = (
            Comment.objects.filter(pk=comment.parent_id).values_list("author_id", flat=True).first()
        )
    payload = {
        "comment_id": comment.pk,
        "contribution_id": owner.pk if contribution is not None else None,
        "challenge_id": owner.pk if isinstance(owner, Challenge) else None,
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
