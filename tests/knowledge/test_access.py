"""The knowledge accessors: missing and invisible give one 404; the object comes back only to
those the role table lets see it."""

import pytest
from django.http import Http404

from cocreate.errors import PermissionDenied
from communities.models import Membership
from knowledge import services
from knowledge.access import (
    access_challenge,
    access_comment,
    access_contribution,
    access_knowledge,
)
from knowledge.models import Challenge, ModerationState

from ..factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _same_404(*calls) -> None:
    bodies = []
    for call in calls:
        with pytest.raises(Http404) as raised:
            call()
        bodies.append(str(raised.value))
    assert len(set(bodies)) == 1


def test_knowledge_of_a_public_community_is_members_only(community, member, outsider):
    assert access_knowledge(member, community.slug).is_member
    _same_404(
        lambda: access_knowledge(outsider, community.slug),
        lambda: access_knowledge(outsider, "no-such-community"),
    )


def test_banned_member_is_told_why(community):
    banned = UserFactory()
    MembershipFactory(community=community, user=banned, status=Membership.Status.BANNED)
    with pytest.raises(PermissionDenied, match="banned"):
        access_knowledge(banned, community.slug)


def test_contribution_missing_invisible_and_elsewhere_are_one_404(
    community, open_community, member, outsider, idea
):
    assert access_contribution(member, idea.pk, community=community) == idea
    assert access_contribution(member, idea.pk).community == community
    _same_404(
        lambda: access_contribution(member, 10**9, community=community),
        lambda: access_contribution(outsider, idea.pk),
        lambda: access_contribution(member, idea.pk, community=open_community),
    )


def test_hidden_contribution_opens_for_author_and_moderators(
    community, member, moderator, other_member, idea
):
    type(idea).objects.filter(pk=idea.pk).update(moderation_state=ModerationState.HIDDEN)
    other = other_member
    assert access_contribution(member, idea.pk, community=community)
    assert access_contribution(moderator, idea.pk, community=community)
    _same_404(
        lambda: access_contribution(other, idea.pk, community=community),
        lambda: access_contribution(other, 10**9, community=community),
    )


def test_draft_challenge_for_staff_only(community, member, manager):
    challenge = services.challenge_create(
        actor=manager, community=community, title="Quieter hubs", brief="How?"
    )
    assert challenge.phase == Challenge.Phase.DRAFT
    assert access_challenge(manager, challenge.pk, community=community) == challenge
    _same_404(
        lambda: access_challenge(member, challenge.pk, community=community),
        lambda: access_challenge(member, 10**9, community=community),
    )


def test_comment_held_for_review_is_a_404_to_others(
    community, member, moderator, other_member, idea
):
    comment = services.comment_create(
        author=member, body="Grease them.", discussion=idea.discussion
    )
    assert access_comment(moderator, comment.pk) == comment
    assert access_comment(moderator, comment.pk, community=community) == comment
    type(comment).objects.filter(pk=comment.pk).update(moderation_state=ModerationState.PENDING)
    other = other_member
    assert access_comment(member, comment.pk)  # its author
    assert access_comment(moderator, comment.pk)
    _same_404(
        lambda: access_comment(other, comment.pk),
        lambda: access_comment(other, 10**9),
        lambda: access_comment(UserFactory(), comment.pk),
    )
