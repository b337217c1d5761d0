"""Which cached pages a change to knowledge makes stale: the community's feeds and counts, the
contribution's own page (activity on one contribution leaves the others' pages cached), every
page of the community for challenges and toolkits, and for drafts, supports and follows the
person's own.

Each declaration runs on the model's saves and deletes, and when a service announces a write
that bypasses ``save()`` (counters, states, locks written with ``update()``) with
``caching.changed``.
"""

from cocreate.caching import generations, invalidates

from .models import (
    Challenge,
    Comment,
    Contribution,
    ContributionRevision,
    ContributionTag,
    Discussion,
    Evaluation,
    Follow,
    Scorecard,
    StatusChange,
    Support,
    Toolkit,
    ToolkitVersion,
)

# A challenge's counters show on the community's lists, not on its contributions' pages.
_CHALLENGE_COUNTERS = frozenset({"contribution_count", "comment_count", "last_activity_at"})


def _by_contribution(contribution_id: int) -> list[str]:
    found = Contribution.objects.filter(pk=contribution_id).values_list("community_id")
    return [
        *(generations.community(pk) for (pk,) in found[:1]),
        generations.contribution(contribution_id),
    ]


@invalidates(Contribution)
def _contribution(contribution: Contribution, fields) -> list[str]:
    # Its activity stays with its own page and the community's feeds; and its author's drafts.
    return [
        generations.community(contribution.community_id),
        generations.contribution(contribution.pk),
        *([generations.user(contribution.author_id)] if contribution.author_id else []),
    ]


def _owner(discussion: Discussion | None, discussion_id: int) -> Contribution | Challenge | None:
    """The discussion's owner: the loaded one, else a stand-in with the ids the declarations
    read (one query); None for a discussion not owned yet (created just before its owner)."""
    if discussion is not None and (loaded := discussion.loaded_owner()) is not None:
        return loaded
    found = Discussion.objects.filter(pk=discussion_id).values_list(
        "community_id", "contribution__id", "contribution__author_id", "challenge__id"
    )
    for community_id, contribution_id, author_id, challenge_id in found[:1]:
        if contribution_id is not None:
            return Contribution(pk=contribution_id, community_id=community_id, author_id=author_id)
        if challenge_id is not None:
            return Challenge(pk=challenge_id, community_id=community_id)
    return None


@invalidates(Discussion)
def _discussion(discussion: Discussion, fields) -> list[str]:
    # Its lock shows wherever its owner does.
    owner = _owner(discussion, discussion.pk)
    if isinstance(owner, Contribution):
        return list(_contribution(owner, fields))
    return list(_challenge(owner, fields)) if owner is not None else []


@invalidates(Comment)
def _comment(comment: Comment, fields) -> list[str]:
    # A comment shows on its owner's page and in the community's counts and feeds.
    loaded = Comment._meta.get_field("discussion").is_cached(comment)
    owner = _owner(comment.discussion if loaded else None, comment.discussion_id)
    if owner is None:
        return []
    return [
        generations.community(owner.community_id),
        *([generations.contribution(owner.pk)] if isinstance(owner, Contribution) else []),
    ]


@invalidates(Challenge)
def _challenge(challenge: Challenge, fields) -> list[str]:
    if fields is not None and fields <= _CHALLENGE_COUNTERS:
        return [generations.community(challenge.community_id)]
    return list(generations.community_wide(challenge.community_id))


@invalidates(Toolkit)
def _toolkit(toolkit: Toolkit, fields) -> list[str]:
    return list(generations.community_wide(toolkit.community_id))


@invalidates(ToolkitVersion)
def _toolkit_version(version: ToolkitVersion, fields) -> list[str]:
    found = Toolkit.objects.filter(pk=version.toolkit_id).values_list("community_id")
    return [scope for (pk,) in found[:1] for scope in generations.community_wide(pk)]


@invalidates(Support)
def _support(support: Support, fields) -> list[str]:
    return [*_by_contribution(support.contribution_id), generations.user(support.user_id)]


@invalidates(StatusChange)
@invalidates(ContributionRevision)
@invalidates(Evaluation)
def _about_contribution(row, fields) -> list[str]:
    # A status change, an edit's revision, an evaluation: shown on the contribution's page.
    return _by_contribution(row.contribution_id)


@invalidates(Scorecard)
def _scorecard(scorecard: Scorecard, fields) -> list[str]:
    return list(generations.community_wide(scorecard.community_id))


@invalidates(ContributionTag)
def _tag(tag: ContributionTag, fields) -> list[str]:
    return [
        generations.community(tag.community_id_copy),
        generations.contribution(tag.contribution_id),
    ]


@invalidates(Follow)
def _follow(follow: Follow, fields) -> list[str]:
    return [generations.user(follow.user_id)]
