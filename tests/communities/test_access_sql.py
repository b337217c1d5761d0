"""``communities.access._fetch`` (one hand-written statement) makes the same instances as the
ORM query it replaced (kept here as the reference): the community, its cached organisation, the
viewer's membership (with the community cached on it)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import FilteredRelation, Q

from communities.access import _fetch
from communities.models import Community, Membership

from ..factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _fetch_orm(viewer, slug: str) -> Community | None:
    """The ORM query ``_fetch`` replaced."""
    qs = Community.objects.select_related("organization").filter(slug=slug)
    if viewer is not None and viewer.is_authenticated:
        qs = qs.annotate(
            viewer_membership_row=FilteredRelation(
                "memberships", condition=Q(memberships__user=viewer)
            )
        ).select_related("viewer_membership_row")
    return next(iter(qs.order_by()[:1]), None)


def _values(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _state(obj) -> tuple:
    return (obj._state.db, obj._state.adding, sorted(obj._state.fields_cache))


def _viewers(community):
    banned, suspended, pending, left = (UserFactory() for _ in range(4))
    MembershipFactory(community=community, user=banned, status=Membership.Status.BANNED)
    MembershipFactory(community=community, user=suspended, status=Membership.Status.SUSPENDED)
    MembershipFactory(community=community, user=pending, status=Membership.Status.PENDING)
    MembershipFactory(community=community, user=left, status=Membership.Status.LEFT)
    return [AnonymousUser(), None, UserFactory(), banned, suspended, pending, left]


@pytest.mark.parametrize("which", ["community", "private_community"])
def test_same_instances_as_the_orm(request, which, member, manager, org_staff):
    community = request.getfixturevalue(which)
    for viewer in [*_viewers(community), member, manager, org_staff]:
        expected = _fetch_orm(viewer, community.slug)
        got, membership = _fetch(viewer, community.slug)
        assert expected is not None and got is not None
        assert _values(got) == _values(expected)
        assert _state(got) == _state(expected)
        assert _values(got.organization) == _values(expected.organization)
        assert _state(got.organization) == _state(expected.organization)
        want = getattr(expected, "viewer_membership_row", None)
        assert (membership is None) == (want is None)
        if want is not None:
            assert membership is got.viewer_membership
            assert _values(membership) == _values(want)
            assert _state(membership) == _state(want)
            assert membership.community is got
            assert want.community is expected


def test_missing_slug(member):
    assert _fetch(member, "no-such-community") == (None, None)
    assert _fetch(AnonymousUser(), "no-such-community") == (None, None)
    assert _fetch_orm(member, "no-such-community") is None
