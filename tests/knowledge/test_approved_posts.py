"""``Membership.approved_posts`` is what moderation's trust tiers counted by query before the
counter existed: the member's contributions in the community past draft and visible, plus
their visible comments on the community's contributions (comments on challenges never
counted). After every step of publishing, holding, approving, hiding and restoring, the
counter equals that query."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from communities.models import Membership
from knowledge import services
from knowledge.models import Comment, Contribution, ModerationState
from knowledge.services.publishing import approved_posts_recount
from moderation import services as moderation
from moderation.models import ModerationSettings
from moderation.trust import is_established

from ..factories import CommunityFactory, MembershipFactory, UserFactory
from .factories import make_contribution, make_toolkit

pytestmark = pytest.mark.django_db


def counted_by_query(user, community) -> int:
    """The query ``moderation.trust.is_established`` ran before the counter."""
    contributions = (
        Contribution.objects.filter(
            community=community, author=user, moderation_state=ModerationState.VISIBLE
        )
        .exclude(status=Contribution.Status.DRAFT)
        .count()
    )
    comments = Comment.objects.filter(
        discussion__contribution__community=community,
        author=user,
        moderation_state=ModerationState.VISIBLE,
    ).count()
    return contributions + comments


def counter(user, community) -> int:
    return Membership.objects.get(community=community, user=user).approved_posts


def assert_in_step(*pairs):
    for user, community in pairs:
        assert counter(user, community) == counted_by_query(user, community)


@pytest.fixture
def newcomer(community):
    """Joined just now: not established, so pre-moderated (the default settings)."""
    user = UserFactory(display_name="Nina Newcomer")
    MembershipFactory(community=community, user=user, joined_at=timezone.now())
    return user


def _act(moderator, kind, **target):
    moderation.moderation_act(actor=moderator, kind=kind, reason="Because", **target)


def test_publishing_hiding_and_restoring_a_contribution(community, member, moderator, toolkit):
    draft = make_contribution(author=member, community=community, toolkit=toolkit, submit=False)
    assert counter(member, community) == 0 == counted_by_query(member, community)
    services.contribution_submit(author=member, contribution=draft)
    assert counter(member, community) == 1 == counted_by_query(member, community)
    _act(moderator, "hide", contribution=draft)
    assert counter(member, community) == 0 == counted_by_query(member, community)
    _act(moderator, "restore", contribution=draft)
    assert counter(member, community) == 1 == counted_by_query(member, community)
    services.contribution_set_status(
        actor=moderator, contribution=draft, status="under_review", reason="Looking at it"
    )
    assert counter(member, community) == 1 == counted_by_query(member, community)


def test_a_held_post_counts_from_its_approval_until_it_is_hidden(
    community, newcomer, moderator, toolkit
):
    held = make_contribution(author=newcomer, community=community, toolkit=toolkit)
    assert held.moderation_state == ModerationState.PENDING
    assert counter(newcomer, community) == 0 == counted_by_query(newcomer, community)
    _act(moderator, "approve", contribution=held)
    assert counter(newcomer, community) == 1 == counted_by_query(newcomer, community)
    services.content_set_moderation_state(state="pending", reason="Reported", contribution=held)
    assert counter(newcomer, community) == 0 == counted_by_query(newcomer, community)
    _act(moderator, "restore", contribution=held)
    _act(moderator, "hide", contribution=held)
    assert counter(newcomer, community) == 0 == counted_by_query(newcomer, community)


def test_comments_on_contributions_count_and_comments_on_challenges_do_not(
    community, member, other_member, manager, moderator, toolkit
):
    post = make_contribution(author=other_member, community=community, toolkit=toolkit)
    challenge = services.challenge_create(
        actor=manager, community=community, title="Lighter", brief="B", phase="open"
    )
    top = services.comment_create(author=member, discussion=post.discussion, body="Nice")
    reply = services.comment_create(author=member, parent=top, body="And more")
    on_challenge = services.comment_create(
        author=member, discussion=challenge.discussion, body="Idea"
    )
    assert counter(member, community) == 2 == counted_by_query(member, community)
    _act(moderator, "hide", comment=on_challenge)
    _act(moderator, "restore", comment=on_challenge)
    assert counter(member, community) == 2 == counted_by_query(member, community)
    _act(moderator, "hide", comment=reply)
    assert counter(member, community) == 1 == counted_by_query(member, community)
    # Hiding the contribution hides its author's post, not the comments' authors' ones.
    _act(moderator, "hide", contribution=post)
    assert counter(member, community) == 1 == counted_by_query(member, community)
    assert counter(other_member, community) == 0 == counted_by_query(other_member, community)


def test_each_community_counts_its_own(community, member, manager, moderator, toolkit):
    elsewhere = CommunityFactory(organization=community.organization)
    MembershipFactory(community=elsewhere, user=member)
    MembershipFactory(community=elsewhere, user=manager, role=Membership.Role.MANAGER)
    other_toolkit = make_toolkit(actor=manager, community=elsewhere)
    make_contribution(author=member, community=community, toolkit=toolkit)
    make_contribution(author=member, community=elsewhere, toolkit=other_toolkit)
    make_contribution(author=member, community=elsewhere, toolkit=other_toolkit)
    assert (counter(member, community), counter(member, elsewhere)) == (1, 2)
    assert_in_step((member, community), (member, elsewhere))


def test_random_sequences_keep_the_counter_equal_to_the_query(
    community, member, newcomer, other_member, moderator, manager, toolkit
):
    """Forty random steps (post, comment, reply, hide, restore, approve, hold again) by three
    authors, one of them pre-moderated: after every step each counter equals the query."""
    rng = random.Random(15)
    authors = [member, newcomer, other_member]
    challenge = services.challenge_create(
        actor=manager, community=community, title="Quiet", brief="B", phase="open"
    )
    posts: list[Contribution] = []
    comments: list[Comment] = []
    for step in range(40):
        author = rng.choice(authors)
        visible = [p for p in posts if p.moderation_state == ModerationState.VISIBLE]
        action = rng.choice(["post", "draft", "comment", "moderate", "moderate"])
        if action == "post" or not posts:
            posts.append(make_contribution(author=author, community=community, toolkit=toolkit))
        elif action == "draft":
            make_contribution(author=author, community=community, toolkit=toolkit, submit=False)
        elif action == "comment":
            if visible and rng.random() < 0.7:
                comments.append(
                    services.comment_create(
                        author=author, discussion=rng.choice(visible).discussion, body=f"c{step}"
                    )
                )
            else:
                comments.append(
                    services.comment_create(
                        author=author, discussion=challenge.discussion, body=f"c{step}"
                    )
                )
        else:
            item = rng.choice(posts + comments)
            item.refresh_from_db()
            state = rng.choice([s for s in ModerationState.values if s != item.moderation_state])
            target = {"contribution" if isinstance(item, Contribution) else "comment": item}
            if state == ModerationState.PENDING:
                services.content_set_moderation_state(state=state, reason="Reported", **target)
            else:
                _act(moderator, "hide" if state == ModerationState.HIDDEN else "restore", **target)
        for item in posts:
            item.refresh_from_db(fields=["moderation_state", "status"])
        assert_in_step(*((user, community) for user in authors))
    assert sum(counter(user, community) for user in authors) > 0


def test_the_recount_repairs_what_bypassed_the_services(community, member, moderator, toolkit):
    post = make_contribution(author=member, community=community, toolkit=toolkit)
    services.comment_create(author=member, discussion=post.discussion, body="Also")
    Membership.objects.filter(community=community).update(approved_posts=7)
    assert (
        approved_posts_recount(community=community)
        == Membership.objects.filter(community=community).count()
    )
    assert_in_step((member, community), (moderator, community))
    assert counter(member, community) == 2


def test_a_newcomer_becomes_established_at_the_communitys_number_of_approved_posts(
    community, newcomer, moderator, toolkit
):
    ModerationSettings.objects.create(community=community, established_after_posts=2)
    community.__dict__.pop("_moderation_settings", None)
    for _ in range(2):
        assert not is_established(newcomer, community)
        held = make_contribution(author=newcomer, community=community, toolkit=toolkit)
        assert held.moderation_state == ModerationState.PENDING
        _act(moderator, "approve", contribution=held)
    assert is_established(newcomer, community)
    published = make_contribution(author=newcomer, community=community, toolkit=toolkit)
    assert published.moderation_state == ModerationState.VISIBLE
    # Hidden again, a post stops counting: the newcomer is new once more.
    _act(moderator, "hide", contribution=published)
    _act(moderator, "hide", contribution=held)
    assert not is_established(newcomer, community)


def test_days_in_the_community_still_establish_without_posts(community, newcomer):
    Membership.objects.filter(community=community, user=newcomer).update(
        joined_at=timezone.now() - timedelta(days=8)
    )
    assert counter(newcomer, community) == 0
    assert is_established(newcomer, community)
