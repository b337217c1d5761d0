"""Every API list costs the same number of queries for 5 items as for 50 (no N+1)."""

import pytest

from communities import services
from communities.models import Community, Membership

from ..clients import token_client
from ..factories import CommunityFactory, MembershipFactory, UserFactory
from ..querycount import same_api_list_at_5_and_50

pytestmark = pytest.mark.django_db

API = "/api/v1"


def test_directory(manager, community):
    def make(n: int) -> None:
        for _ in range(n):
            c = CommunityFactory(organization=community.organization)
            MembershipFactory(community=c, user=manager)

    same_api_list_at_5_and_50(make, token_client(manager), f"{API}/communities/")


def test_directory_as_org_staff_with_private_communities(org_staff, organization):
    def make(n: int) -> None:
        for _ in range(n):
            CommunityFactory(organization=organization, visibility=Community.Visibility.PRIVATE)

    same_api_list_at_5_and_50(make, token_client(org_staff), f"{API}/communities/?ordering=popular")


def test_members(member, community):
    def make(n: int) -> None:
        for _ in range(n):
            MembershipFactory(community=community)

    same_api_list_at_5_and_50(
        make, token_client(member), f"{API}/communities/{community.slug}/members/"
    )


def test_join_requests(manager, community):
    def make(n: int) -> None:
        for _ in range(n):
            MembershipFactory(community=community, status=Membership.Status.PENDING)

    same_api_list_at_5_and_50(
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

    same_api_list_at_5_and_50(
        make, token_client(manager), f"{API}/communities/{private_community.slug}/invitations/"
    )


def test_my_memberships(db):
    user = UserFactory()

    def make(n: int) -> None:
        for _ in range(n):
            MembershipFactory(user=user)

    same_api_list_at_5_and_50(make, token_client(user), f"{API}/me/memberships/")
