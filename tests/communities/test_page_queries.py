"""Every list page runs the same number of queries for 5 items as for 50."""

import pytest
from django.urls import reverse

from communities import services
from communities.models import Membership

from ..factories import CommunityFactory, MembershipFactory, UserFactory
from ..querycount import same_get_at_5_and_50

pytestmark = pytest.mark.django_db


def test_directory(client, organization, member):
    client.force_login(member)

    def add(n):
        for _ in range(n):
            c = CommunityFactory(organization=organization)
            MembershipFactory(community=c, user=member)

    same_get_at_5_and_50(add, client, reverse("communities:directory"))


def test_directory_anonymous(client, organization):
    same_get_at_5_and_50(
        lambda n: CommunityFactory.create_batch(n, organization=organization),
        client,
        reverse("communities:directory") + "?sort=popular",
    )


def test_my_communities(client, organization, outsider):
    client.force_login(outsider)

    def add(n):
        for i in range(n):
            status = Membership.Status.DECLINED if i % 3 else Membership.Status.ACTIVE
            MembershipFactory(
                community=CommunityFactory(organization=organization), user=outsider, status=status
            )

    same_get_at_5_and_50(add, client, reverse("communities:mine"))


def test_members(client, manager, community):
    client.force_login(manager)
    same_get_at_5_and_50(
        lambda n: MembershipFactory.create_batch(n, community=community),
        client,
        reverse("communities:members", args=[community.slug]),
    )


def test_join_requests(client, manager, community):
    client.force_login(manager)

    def add(n):
        for _ in range(n):
            MembershipFactory(
                community=community,
                user=UserFactory(),
                status=Membership.Status.PENDING,
                application_answer="Because",
            )

    same_get_at_5_and_50(add, client, reverse("communities:requests", args=[community.slug]))


def test_invitations(client, manager, community):
    client.force_login(manager)
    counter = iter(range(1000))

    def add(n):
        for _ in range(n):
            services.invitation_create(
                actor=manager, community=community, email=f"guest{next(counter)}@example.test"
            )

    same_get_at_5_and_50(add, client, reverse("communities:invitations", args=[community.slug]))
