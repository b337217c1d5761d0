"""Every list page runs the same number of queries for 5 items as for 50."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communities import services
from communities.models import Membership

from ..factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _count_queries(client, url: str) -> int:
    # The signed-in user is cached (accounts.auth_cache): count the list, not the first
    # request's user lookup.
    client.get("/api/v1/me/")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _same_at_5_and_50(client, url: str, add_items) -> None:
    add_items(5)
    at_5 = _count_queries(client, url)
    add_items(45)
    at_50 = _count_queries(client, url)
    assert at_5 == at_50, f"{url}: {at_5} queries at 5 items, {at_50} at 50"


def test_directory(client, organization, member):
    client.force_login(member)

    def add(n):
        for _ in range(n):
            c = CommunityFactory(organization=organization)
            MembershipFactory(community=c, user=member)

    _same_at_5_and_50(client, reverse("communities:directory"), add)


def test_directory_anonymous(client, organization):
    _same_at_5_and_50(
        client,
        reverse("communities:directory") + "?sort=popular",
        lambda n: CommunityFactory.create_batch(n, organization=organization),
    )


def test_my_communities(client, organization, outsider):
    client.force_login(outsider)

    def add(n):
        for i in range(n):
            status = Membership.Status.DECLINED if i % 3 else Membership.Status.ACTIVE
            MembershipFactory(
                community=CommunityFactory(organization=organization), user=outsider, status=status
            )

    _same_at_5_and_50(client, reverse("communities:mine"), add)


def test_members(client, manager, community):
    client.force_login(manager)
    _same_at_5_and_50(
        client,
        reverse("communities:members", args=[community.slug]),
        lambda n: MembershipFactory.create_batch(n, community=community),
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

    _same_at_5_and_50(client, reverse("communities:requests", args=[community.slug]), add)


def test_invitations(client, manager, community):
    client.force_login(manager)
    counter = iter(range(1000))

    def add(n):
        for _ in range(n):
            services.invitation_create(
                actor=manager, community=community, email=f"guest{next(counter)}@example.test"
            )

    _same_at_5_and_50(client, reverse("communities:invitations", args=[community.slug]), add)
