"""``selectors.directory_page_rows`` (the API directory's hand-written SELECT) gives what the ORM
version gives: the same rows in the same order on every cursor page, for every viewer, sort
and filter."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from communities import selectors
from communities.api import DirectoryCursorPagination
from communities.models import Community, Membership

from ..factories import (
    CommunityFactory,
    MembershipFactory,
    OrganizationFactory,
    OrganizationStaffFactory,
    UserFactory,
)
from ..pagewalk import assert_same_pages, keyset_walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(community, private_community, open_community, organization):
    """Communities of two firms with ties on every sort key, private ones, odd characters."""
    other_firm = OrganizationFactory(name="Southwind", slug="southwind")
    now = timezone.now()
    for i in range(9):
        c = CommunityFactory(
            organization=other_firm if i % 2 else organization,
            name="Same name" if i < 3 else f"Lab {i} 50%_off",
            tagline="Tools_and%more" if i % 3 == 0 else "People making things together.",
            description="Only said here: zebras." if i in (5, 6) else "",
            visibility=Community.Visibility.PRIVATE if i % 4 == 0 else Community.Visibility.PUBLIC,
            join_policy=Community.JoinPolicy.REQUEST if i % 2 else Community.JoinPolicy.OPEN,
        )
        Community.objects.filter(pk=c.pk).update(
            member_count=i % 3, created_at=now - timedelta(days=i // 2)
        )
    return other_firm


def _viewers(community, private_community, directory):
    member = UserFactory()
    MembershipFactory(community=community, user=member, role=Membership.Role.MANAGER)
    MembershipFactory(community=private_community, user=member, status=Membership.Status.SUSPENDED)
    pending = UserFactory()
    MembershipFactory(community=private_community, user=pending, status=Membership.Status.PENDING)
    staff = OrganizationStaffFactory(organization=directory).user
    known_staff = OrganizationStaffFactory(organization=directory).user
    known_staff._org_staff_ids = frozenset([directory.pk])  # as once the rules have asked
    none_staff = UserFactory()
    none_staff._org_staff_ids = frozenset()
    admin = UserFactory(is_staff=True, is_superuser=True)
    return {
        "anonymous": AnonymousUser(),
        "outsider": UserFactory(),
        "member": member,
        "pending": pending,
        "staff": staff,
        "known_staff": known_staff,
        "none_staff": none_staff,
        "admin": admin,
    }


FILTERS = [
    {},
    {"query": "  same   NAME "},
    {"query": "50%_"},
    {"query": "%"},
    {"query": "ls_and%m"},
    {"query": "ZEBRA"},
    {"join_policy": "open"},
    {"join_policy": "nonsense"},
    {"organization": "southwind"},
    {"mine": True},
    {"mine": True, "organization": "northwind", "join_policy": "request"},
]


@pytest.mark.parametrize("ordering", list(selectors.DIRECTORY_SORTS))
def test_same_pages_as_the_orm(community, private_community, directory, ordering):
    viewers = _viewers(community, private_community, directory)
    for name, user in viewers.items():
        for filters in FILTERS:
            kwargs = {"user": user, **filters}
            assert_same_pages(
                DirectoryCursorPagination,
                lambda kw=kwargs: selectors.directory_page_rows(**kw),
                lambda kw=kwargs: selectors.directory_rows(
                    selectors.community_directory(**kw), user=kw["user"]
                ),
                f"/communities/?page_size=2&ordering={ordering}",
                min_pages=1,
            )
        # Each viewer sees a different set: the walk above compared more than empty lists.
        everything = list(selectors.directory_page_rows(user=user).order_by("id"))
        expected = list(
            selectors.directory_rows(selectors.community_directory(user=user), user=user).order_by(
                "id"
            )
        )
        assert everything == expected, name
    assert len(list(selectors.directory_page_rows(user=viewers["admin"]))) == 12
    public = selectors.directory_page_rows(user=viewers["anonymous"])
    assert len(list(public)) == 12 - 1 - 3  # the fixtures' private one, three of directory's


@pytest.mark.parametrize("sort", list(selectors.DIRECTORY_SORTS))
def test_the_directory_page_walks_the_same_pages_as_the_orm(
    community, private_community, directory, sort
):
    """The page paginator (``keyset_paginate``, ``KeysetRows.after``) over the hand-written rows
    cuts the same pages as over the ORM's, ties on every sort key included."""
    ordering = selectors.DIRECTORY_SORTS[sort]
    viewers = _viewers(community, private_community, directory)
    for user in (viewers["anonymous"], viewers["member"], viewers["admin"]):
        for filters in ({}, {"query": "same name"}, {"join_policy": "open"}):
            kwargs = {"user": user, **filters}
            hand = keyset_walk(lambda kw=kwargs: selectors.directory_page_rows(**kw), ordering)
            orm = keyset_walk(
                lambda kw=kwargs: selectors.directory_rows(
                    selectors.community_directory(**kw), user=kw["user"]
                ),
                ordering,
            )
            assert hand == orm, (user, filters)
    assert sum(map(len, hand_all := keyset_walk(
        lambda: selectors.directory_page_rows(user=viewers["admin"]), ordering
    ))) == 12 and len(hand_all) == 6  # fmt: skip
