"""Fixtures for every role the authorization matrix knows, on one public and one private
community of the same firm."""

import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from communities.models import Community, Membership

from .apifuzz import connection_kept_open
from .authz.world import World, build_world
from .factories import (
    CommunityFactory,
    MembershipFactory,
    OrganizationFactory,
    OrganizationStaffFactory,
    UserFactory,
)
from .knowledge.factories import make_contribution, make_toolkit
from .redis_server import outage_cache, own_redis  # noqa: F401 — fixtures: a Redis to stop

REQUIRE_SERVICES = os.environ.get("COCREATE_REQUIRE_SERVICES") == "1"


def uses_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def require_or_skip(condition: bool, reason: str) -> None:
    """Skip locally when a real service is absent; in CI (COCREATE_REQUIRE_SERVICES=1) fail."""
    if condition:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's default language: a request served by the test client in
    this thread activates its person's language (accounts.middleware) and leaves it active, so
    a test after one with a German-speaking member would otherwise render German (seen: a
    notification text stored as "hat Sie erwähnt" in an English journey)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate-limit counters live in the cache; every test starts with none.
    cache.clear()
    yield


@pytest.fixture
def organization(db):
    return OrganizationFactory(name="Northwind", slug="northwind")


@pytest.fixture
def community(organization):
    return CommunityFactory(
        organization=organization,
        name="Trail Bike Lab",
        slug="trail-bike-lab",
        visibility=Community.Visibility.PUBLIC,
        join_policy=Community.JoinPolicy.REQUEST,
        application_question="What do you ride?",
    )


@pytest.fixture
def private_community(organization):
    return CommunityFactory(
        organization=organization,
        name="Secret Kitchen",
        slug="secret-kitchen",
        visibility=Community.Visibility.PRIVATE,
        join_policy=Community.JoinPolicy.INVITATION,
    )


@pytest.fixture
def open_community(organization):
    return CommunityFactory(
        organization=organization,
        name="Open Garage",
        slug="open-garage",
        join_policy=Community.JoinPolicy.OPEN,
    )


@pytest.fixture
def outsider(db):
    return UserFactory(display_name="Olive Outsider")


def _member_of_both(community, private_community, role: str, name: str):
    user = UserFactory(display_name=name)
    MembershipFactory(community=community, user=user, role=role)
    MembershipFactory(community=private_community, user=user, role=role)
    return user


@pytest.fixture
def member(community, private_community):
    return _member_of_both(community, private_community, Membership.Role.MEMBER, "Maya Member")


@pytest.fixture
def moderator(community, private_community):
    return _member_of_both(
        community, private_community, Membership.Role.MODERATOR, "Milo Moderator"
    )


@pytest.fixture
def manager(community, private_community):
    return _member_of_both(community, private_community, Membership.Role.MANAGER, "Mia Manager")


@pytest.fixture
def org_staff(organization):
    return OrganizationStaffFactory(
        organization=organization, user=UserFactory(display_name="Sam Staff")
    ).user


@pytest.fixture
def platform_admin(db):
    return UserFactory(display_name="Ada Admin", is_staff=True, is_superuser=True)


@pytest.fixture
def pending_applicant(community):
    user = UserFactory(display_name="Pat Pending")
    MembershipFactory(
        community=community,
        user=user,
        status=Membership.Status.PENDING,
        application_answer="A gravel bike.",
    )
    return user


# --- Knowledge shared by the knowledge, moderation and caching tests ----------------------------


@pytest.fixture
def toolkit(community, manager):
    return make_toolkit(actor=manager, community=community)


@pytest.fixture
def idea(community, member, toolkit):
    return make_contribution(
        author=member, community=community, toolkit=toolkit, title="Wax the chain", tags="chains"
    )


@pytest.fixture
def other_member(community):
    user = UserFactory(display_name="Otto Other")
    MembershipFactory(community=community, user=user)
    return user


@pytest.fixture
def fuzz_world(db) -> World:
    """The authorization matrix's world, for requests sent through the real WSGI handler
    (property-based API tests, tests/apifuzz.py)."""
    with connection_kept_open():
        yield build_world()
