"""The approved-posts counter arrives filled in: knowledge 0007 counts each membership's posts
from the rows that exist when communities 0003 adds the column."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from communities.models import Membership
from knowledge import services
from moderation import services as moderation

from ..factories import CommunityFactory, MembershipFactory
from .factories import make_contribution, make_toolkit
from .test_approved_posts import counted_by_query

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("knowledge", "0006_moderation_and_replies_indexes"),
    ("communities", "0002_membership_suspended_until"),
]


def _migrate(targets) -> None:
    MigrationExecutor(connection).migrate(targets)


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def back_to_latest():
    """Whatever happens, the test leaves the schema as every other test expects it."""
    yield
    _migrate(_latest())


def test_the_backfill_counts_what_the_standing_query_counted(
    back_to_latest, community, member, other_member, moderator, manager, toolkit
):
    post = make_contribution(author=member, community=community, toolkit=toolkit)
    hidden = make_contribution(author=member, community=community, toolkit=toolkit)
    make_contribution(author=member, community=community, toolkit=toolkit, submit=False)
    services.comment_create(author=other_member, discussion=post.discussion, body="Yes")
    services.comment_create(
        author=other_member, discussion=hidden.discussion, body="Before it went"
    )
    moderation.moderation_act(actor=moderator, kind="hide", reason="No", contribution=hidden)
    challenge = services.challenge_create(
        actor=manager, community=community, title="Lighter", brief="B", phase="open"
    )
    services.comment_create(
        author=other_member, discussion=challenge.discussion, body="Not counted"
    )
    elsewhere = CommunityFactory(organization=community.organization)
    MembershipFactory(community=elsewhere, user=member)
    MembershipFactory(community=elsewhere, user=manager, role=Membership.Role.MANAGER)
    make_contribution(
        author=member, community=elsewhere, toolkit=make_toolkit(actor=manager, community=elsewhere)
    )
    expected = {
        (m.user_id, m.community_id): counted_by_query(m.user, m.community)
        for m in Membership.objects.select_related("user", "community")
    }
    assert expected[(member.pk, community.pk)] == 1
    assert expected[(other_member.pk, community.pk)] == 2
    assert expected[(member.pk, elsewhere.pk)] == 1

    _migrate(BEFORE)  # the column goes; the posts stay
    _migrate(_latest())

    assert {
        (m.user_id, m.community_id): m.approved_posts for m in Membership.objects.all()
    } == expected
