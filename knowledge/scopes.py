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


@invalidates(Comment)
def _comment(comment: Comment, fields) -> list[str]:
    if comment.contribution_id is not None:
        return _by_contribution(comment.contribution_id)
    if comment.challenge_id is None:  # the comment_has_one_target constraint rules it out
        return []
    found = Challenge.objects.filter(pk=comment.challenge_id).values_list("community_id")
    return [generations.community(pk) for (pk,) in found[:1]]


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
