"""``KnowledgeCounts``: the database triggers keep each community's published ideas and ideas
shipped equal to a recount, whatever writes the contributions (services, ``save``, queryset
``update``, deletes, a move to another community), in any order."""

import pytest
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge import selectors, services
from knowledge.models import Contribution, KnowledgeCounts, ModerationState

from ..factories import CommunityFactory, MembershipFactory
from .factories import make_contribution

pytestmark = pytest.mark.django_db

S = Contribution.Status
STATUSES = [choice.value for choice in S]
STATES = [choice.value for choice in ModerationState]


def recount(community) -> tuple[int, int]:
    ideas = Contribution.objects.filter(
        community=community, moderation_state=ModerationState.VISIBLE
    ).exclude(status=S.DRAFT)
    return ideas.count(), ideas.filter(status=S.SHIPPED).count()


def kept(community) -> tuple[int, int]:
    row = KnowledgeCounts.objects.filter(community=community).first()
    return (row.ideas, row.shipped) if row else (0, 0)


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["create", "submit", "status", "state", "save", "move", "delete"]),
        st.integers(min_value=0, max_value=7),
        st.sampled_from(STATUSES),
        st.sampled_from(STATES),
    ),
    max_size=20,
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(ops=OPERATIONS)
def test_counts_equal_a_recount_after_any_writes(ops, community, manager, member, toolkit):
    other = CommunityFactory()
    MembershipFactory(community=other, user=member)
    for op, index, status, state in ops:
        pool = list(Contribution.objects.filter(author=member).order_by("id"))
        target = pool[index % len(pool)] if pool else None
        if op == "create" or target is None:
            make_contribution(
                author=member, community=community, toolkit=toolkit, submit=index % 2 == 0
            )
        elif op == "submit" and target.status == S.DRAFT and target.community_id == community.pk:
            services.contribution_submit(author=member, contribution=target)
        elif op == "status":
            Contribution.objects.filter(pk=target.pk).update(status=status)
        elif op == "state":
            Contribution.objects.filter(pk=target.pk).update(moderation_state=state)
        elif op == "save":  # a whole-row save that changes what counts, or nothing
            target.status, target.moderation_state = status, state
            target.save()
        elif op == "move":
            Contribution.objects.filter(pk=target.pk).update(
                community=other if target.community_id == community.pk else community
            )
        elif op == "delete":
            target.delete()
        assert kept(community) == recount(community)
        assert kept(other) == recount(other)


def test_the_home_counts_read_the_kept_row(community, member, manager, toolkit):
    ideas = [make_contribution(author=member, community=community, toolkit=toolkit) for _ in "abc"]
    make_contribution(author=member, community=community, toolkit=toolkit, submit=False)
    for status in (S.ACCEPTED, S.IN_DEVELOPMENT, S.SHIPPED):
        services.contribution_set_status(
            actor=manager, contribution=ideas[0], status=status, reason="On its way"
        )
    community.refresh_from_db()
    assert selectors.knowledge_counts(community) == {"ideas": 3, "shipped": 1}
    fresh = CommunityFactory()
    assert selectors.knowledge_counts(fresh) == {"ideas": 0, "shipped": 0}


def test_the_database_refuses_counts_that_cannot_be(community, member, toolkit):
    make_contribution(author=member, community=community, toolkit=toolkit)
    with pytest.raises(IntegrityError), transaction.atomic():
        KnowledgeCounts.objects.filter(community=community).update(shipped=5)


def test_deleting_a_community_deletes_its_counts():
    community = CommunityFactory()  # one with toolkits or ideas cannot be deleted (PROTECT)
    KnowledgeCounts.objects.create(community=community)
    community.delete()
    assert not KnowledgeCounts.objects.filter(community_id=community.pk).exists()
