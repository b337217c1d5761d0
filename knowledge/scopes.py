"""Which cached pages a change to knowledge makes stale: the community's feeds and counts, the
contribution's own page (activity on one contribution leaves the others' pages cached), every
page of the community for challenges and toolkits, and for drafts, supports and follows the
person's own.

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


def changed(target: Contribution | Challenge | Comment | Toolkit, *user_ids: int | None) -> None:
    """``target`` (or its counters, state or lock) changed; ``user_ids`` are people whose own
    view of it changed too (an author's drafts, a supporter's button)."""
    generations.bump(*_scopes(target), *(generations.user(uid) for uid in user_ids if uid))


def _scopes(target) -> list[str]:
    """A contribution's activity stays with its own page (and the community's feeds); a
    challenge or toolkit shows on every page of the community."""
    if isinstance(target, Contribution):
        return [generations.community(target.community_id), generations.contribution(target.pk)]
    if isinstance(target, Challenge | Toolkit):
        return list(generations.community_wide(target.community_id))
    if isinstance(target, Comment):
        if target.contribution_id is not None:
            return _by_contribution(target.contribution_id)
        found = Challenge.objects.filter(pk=target.challenge_id).values_list("community_id")
        return [generations.community(pk) for (pk,) in found[:1]]
    return []


def _by_contribution(contribution_id: int) -> list[str]:
    found = Contribution.objects.filter(pk=contribution_id).values_list("community_id")
    return [
        *(generations.community(pk) for (pk,) in found[:1]),
        generations.contribution(contribution_id),
    ]


def _contribution(sender, instance: Contribution, **kwargs) -> None:
    changed(instance, instance.author_id)  # the author's drafts list


def _comment(sender, instance: Comment, **kwargs) -> None:
    changed(instance)


def _challenge(sender, instance: Challenge, **kwargs) -> None:
    changed(instance)


def _toolkit(sender, instance: Toolkit, **kwargs) -> None:
    changed(instance)


def _toolkit_version(sender, instance: ToolkitVersion, **kwargs) -> None:
    found = Toolkit.objects.filter(pk=instance.toolkit_id).values_list("community_id")
    generations.bump(*(scope for (pk,) in found[:1] for scope in generations.community_wide(pk)))


def _support(sender, instance: Support, **kwargs) -> None:
    generations.bump(
        *_by_contribution(instance.contribution_id), generations.user(instance.user_id)
    )


def _about_contribution(sender, instance, **kwargs) -> None:
    # A status change, an edit's revision, an evaluation: shown on the contribution's page.
    generations.bump(*_by_contribution(instance.contribution_id))


def _scorecard(sender, instance: Scorecard, **kwargs) -> None:
    generations.bump(*generations.community_wide(instance.community_id))


def _tag(sender, instance: ContributionTag, **kwargs) -> None:
    generations.bump(
        generations.community(instance.community_id_copy),
        generations.contribution(instance.contribution_id),
    )


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
