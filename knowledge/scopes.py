"""Which cached pages a change to knowledge makes stale: the community's (feeds, challenge
pages, counts) and, for drafts, supports and follows, the person's own.

Saves and deletes are caught here (signals); services that change counters or states with
``update()`` call ``changed`` themselves.
"""

from cocreate import generations

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


def changed(target: Contribution | Challenge | Comment, *user_ids: int | None) -> None:
    """``target`` (or its counters, state or lock) changed; ``user_ids`` are people whose own
    view of it changed too (an author's drafts, a supporter's button)."""
    community_id = _community_id(target)
    generations.bump(
        *([generations.community(community_id)] if community_id is not None else []),
        *(generations.user(uid) for uid in user_ids if uid is not None),
    )


def _community_id(target) -> int | None:
    if isinstance(target, Contribution | Challenge | Toolkit):
        return target.community_id
    if isinstance(target, Comment):
        if target.contribution_id is not None:
            return (
                Contribution.objects.filter(pk=target.contribution_id)
                .values_list("community_id", flat=True)
                .first()
            )
        return (
            Challenge.objects.filter(pk=target.challenge_id)
            .values_list("community_id", flat=True)
            .first()
        )
    return None


def _contribution(sender, instance: Contribution, **kwargs) -> None:
    changed(instance, instance.author_id)  # the author's drafts list


def _comment(sender, instance: Comment, **kwargs) -> None:
    changed(instance)


def _challenge(sender, instance: Challenge, **kwargs) -> None:
    changed(instance)


def _toolkit(sender, instance: Toolkit, **kwargs) -> None:
    changed(instance)


def _toolkit_version(sender, instance: ToolkitVersion, **kwargs) -> None:
    found = Toolkit.objects.filter(pk=instance.toolkit_id).values_list("community_id", flat=True)
    community_id = found.first()
    if community_id is not None:
        generations.bump(generations.community(community_id))


def _by_contribution(contribution_id: int, *user_ids: int) -> None:
    community_id = (
        Contribution.objects.filter(pk=contribution_id)
        .values_list("community_id", flat=True)
        .first()
    )
    generations.bump(
        *([generations.community(community_id)] if community_id is not None else []),
        *map(generations.user, user_ids),
    )


def _support(sender, instance: Support, **kwargs) -> None:
    _by_contribution(instance.contribution_id, instance.user_id)


def _about_contribution(sender, instance, **kwargs) -> None:
    # A status change, an edit's revision, an evaluation: shown on the contribution's page.
    _by_contribution(instance.contribution_id)


def _scorecard(sender, instance: Scorecard, **kwargs) -> None:
    generations.bump(generations.community(instance.community_id))


def _tag(sender, instance: ContributionTag, **kwargs) -> None:
    generations.bump(generations.community(instance.community_id_copy))


def _follow(sender, instance: Follow, **kwargs) -> None:
    generations.bump(generations.user(instance.user_id))


def connect() -> None:
    generations.on_change(
        (
            (Contribution, _contribution),
            (Comment, _comment),
            (Challenge, _challenge),
            (Toolkit, _toolkit),
            (ToolkitVersion, _toolkit_version),
            (Support, _support),
            (ContributionTag, _tag),
            (Follow, _follow),
            (StatusChange, _about_contribution),
            (ContributionRevision, _about_contribution),
            (Evaluation, _about_contribution),
            (Scorecard, _scorecard),
        )
    )
