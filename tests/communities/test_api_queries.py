"""Every API list costs the same number of queries for 5 items as for 50 (no N+1)."""

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities import services
from communities.models import Community, Membership

from ..api.helpers import token_client
from ..factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"


def _count(client, path: str) -> int:
    # The signed-in user is cached (accounts.auth_cache): count the list, not the first
    # request's user lookup.
    client.get("/api/v1/me/")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, response.content
    assert response.json()["results"], "the list under test must not be empty"
    return len(ctx.captured_queries)


def _same_at_5_and_50(make: Callable[[int], None], client, path: str) -> None:
    make(5)
    at_5 = _count(client, path)
    make(45)
    at_50 = _count(client, path)
    assert at_5 == at_50, f"{path}: {at_5} queries at 5 items, {at_50} at 50"


def test_directory(manager, community):
    def make(n: int) -> None:
        for _ in range(n):
            c = CommunityFactory(organization=community.organization)
            MembershipFactory(community=c, user=manager)

    _same_at_5_and_50(make, token_client(manager), f"{API}/communities/")


def test_directory_as_org_staff_with_private_communities(org_staff, organization):
    def make(n: int) -> None:
        for _ in range(n):
            CommunityFactory(organization=organization, visibility=Community.Visibility.PRIVATE)

    _same_at_5_and_50(make, token_client(org_staff), f"{API}/communities/?ordering=popular")


def test_members(member, community):
    def make(n: int) -> None:
        for _ in range(n):
            MembershipFactory(community=community)

    _same_at_5_and_50(make, token_client(member), f"{API}/communities/{community.slug}/members/")


def test_join_requests(manager, community):
    def make(n: int) -> None:
        for _ in range(n):
            MembershipFactory(community=community, status=Membership.Status.PENDING)

    _same_at_5_and_50(
        make, token_client(manager), f"{API}/communities/{community.slug}/join-requests/"
    )


def test_invitations(manager, private_community):
    def make(n: int) -> None:
        for _ in range(n):
            services.invitation_create(
                actor=manager,
                community=private_community,
                email=f"{UserFactory.build().email}",
            )

    _same_at_5_and_50(
        make, token_client(manager), f"{API}/communities/{private_community.slug}/invitations/"
    )


def test_my_memberships(db):
    user = UserFactory()

    def make(n: int) -> None:
        for _ in range(n):
            MembershipFactory(user=user)

    _same_at_5_and_50(make, token_client(user), f"{API}/me/memberships/")
