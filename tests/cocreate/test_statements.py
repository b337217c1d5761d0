"""``cocreate.statements``: a query compiled once answers as the ORM would for every value, and
a builder that puts a value anywhere but in a parameter is refused."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cocreate.statements import Statement
from communities.models import Membership
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _memberships(community_id: int, role: str = "member"):
    return (
        Membership.objects.filter(community_id=community_id, role=role)
        .order_by("id")
        .values_list("user_id")
    )


def test_a_statement_answers_as_the_orm_for_every_value():
    first, second = CommunityFactory(), CommunityFactory()
    for community, n in ((first, 3), (second, 2)):
        for _ in range(n):
            MembershipFactory(community=community)
    MembershipFactory(community=first, role=Membership.Role.MANAGER)
    statement = Statement(lambda community_id: _memberships(community_id))
    calls = []
    counted = Statement(lambda community_id: calls.append(1) or _memberships(community_id))
    for community in (first, second, first):
        assert statement.rows(community_id=community.pk) == list(_memberships(community.pk))
        with CaptureQueriesContext(connection) as queries:
            counted.rows(community_id=community.pk)
        assert len(queries) == 1
    assert len(calls) == 1  # built and compiled once, run three times


def test_values_in_the_shape_of_the_query_are_refused():
    user = UserFactory()
    # A slice is not a parameter: the stand-in would be compiled into the SQL.
    sliced = Statement(lambda n: Membership.objects.values_list("id")[:-n])
    with pytest.raises(ValueError):
        sliced.rows(n=1)
    # A value the builder ignores never reaches the SQL either.
    unused = Statement(lambda user_id: Membership.objects.filter(user_id=user.pk).values_list("id"))
    with pytest.raises(ValueError, match="user_id"):
        unused.rows(user_id=user.pk)
