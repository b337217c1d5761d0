"""The trust lists cost the same number of queries for 5 items as for 50, as pages and through
the API."""

import itertools

import pytest

from trust import services

from ..clients import token_client
from ..knowledge.factories import make_contribution
from ..querycount import same_api_list_at_5_and_50, same_get_at_5_and_50

pytestmark = pytest.mark.django_db

_n = itertools.count()


@pytest.fixture
def add_uses(community, manager, member, toolkit, product):
    services.consent_grant(user=member, purpose=product)

    def add(n):
        for _ in range(n):
            item = make_contribution(
                author=member, community=community, toolkit=toolkit, title=f"Idea {next(_n)}"
            )
            services.usage_record(
                actor=manager, contribution=item, purpose=product, what="Used", where="Roadmap"
            )

    return add


@pytest.fixture
def add_purposes(community, manager, member):
    def add(n):
        for _ in range(n):
            i = next(_n)
            purpose = services.purpose_create(
                actor=manager,
                community=community,
                key=f"p{i}",
                title=f"Purpose {i}",
                summary="In plain words.",
                text=f"Text {i}",
            )
            services.purpose_publish(actor=manager, purpose=purpose)
            services.consent_grant(user=member, purpose=purpose)

    return add


def test_my_uses(client, member, add_uses):
    client.force_login(member)
    same_get_at_5_and_50(add_uses, client, "/me/uses/", contains="Roadmap")
    same_api_list_at_5_and_50(add_uses, token_client(member), "/api/v1/consent/uses/")


def test_community_uses(client, manager, add_uses):
    client.force_login(manager)
    same_get_at_5_and_50(add_uses, client, "/c/trail-bike-lab/consent/uses/", contains="Roadmap")
    same_api_list_at_5_and_50(
        add_uses, token_client(manager), "/api/v1/communities/trail-bike-lab/consent/uses/"
    )


def test_consent_page_history_and_purposes(client, member, manager, add_purposes):
    client.force_login(member)
    same_get_at_5_and_50(add_purposes, client, "/me/consent/", contains="Purpose")
    same_api_list_at_5_and_50(add_purposes, token_client(member), "/api/v1/consent/history/")
    count = same_get_at_5_and_50(add_purposes, token_client(member), "/api/v1/consent/")
    assert count <= 10
    same_get_at_5_and_50(
        add_purposes,
        token_client(manager),
        "/api/v1/communities/trail-bike-lab/consent/purposes/",
    )
    client.force_login(manager)
    same_get_at_5_and_50(add_purposes, client, "/c/trail-bike-lab/consent/", contains="Purpose")


def test_usable_for_a_purpose(client, manager, product, add_uses):
    client.force_login(manager)
    same_get_at_5_and_50(
        add_uses,
        client,
        f"/c/trail-bike-lab/consent/usable/?purpose={product.pk}",
        contains="Idea",
    )
