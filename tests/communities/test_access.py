"""The access boundary: ``access_community`` resolves a community for a viewer with their
standing; missing and invisible answer the same 404, banned and suspended people a 403 with
the reason; the API base class answers in the order 401, 404, 403, 400."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from cocreate.errors import PermissionDenied
from communities.access import access_community, access_own_standing
from communities.api_base import CommunityEndpoint
from communities.models import Membership
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_missing_and_invisible_raise_the_same_404(private_community, outsider):
    with pytest.raises(Http404) as missing:
        access_community(outsider, "no-such-community")
    with pytest.raises(Http404) as invisible:
        access_community(outsider, private_community.slug)
    assert str(missing.value) == str(invisible.value)
    with pytest.raises(Http404):
        access_community(AnonymousUser(), private_community.slug)


def test_missing_and_invisible_answer_identical_api_bodies(private_community, outsider):
    missing = _api(outsider).get("/api/v1/communities/no-such-community/")
    invisible = _api(outsider).get(f"/api/v1/communities/{private_community.slug}/")
    assert missing.status_code == invisible.status_code == 404
    assert missing.content == invisible.content


def test_standing_of_a_member_and_of_an_outsider(community, member, moderator, outsider):
    standing = access_community(member, community.slug)
    assert standing.community == community
    assert standing.membership.user == member
    assert (standing.is_member, standing.role) == (True, Membership.Role.MEMBER)
    assert not (standing.is_moderator or standing.is_manager or standing.is_banned)

    mod = access_community(moderator, community.slug)
    assert mod.is_moderator and not mod.is_manager

    public = access_community(outsider, community.slug)
    assert public.membership is None and public.status is None and public.role is None
    assert not public.is_member


def test_standing_of_staff_and_admin(community, org_staff, platform_admin):
    staff = access_community(org_staff, community.slug)
    assert staff.membership is None and staff.is_org_staff and not staff.is_platform_admin
    admin = access_community(platform_admin, community.slug)
    assert admin.is_platform_admin and not admin.is_org_staff


def test_one_query_for_community_and_membership(community, member, django_assert_num_queries):
    with django_assert_num_queries(1):
        standing = access_community(member, community.slug)
        assert standing.allows("communities.view_members")  # the membership is cached


def test_banned_person_gets_403_with_reason_where_standing_is_needed(community):
    banned = UserFactory()
    MembershipFactory(community=community, user=banned, status=Membership.Status.BANNED)
    # The public community itself stays visible: its page is no secret.
    assert access_community(banned, community.slug).is_banned
    with pytest.raises(PermissionDenied, match="You are banned from this community."):
        access_community(banned, community.slug, within="knowledge.view_knowledge")


def test_suspended_member_reads_but_is_refused_with_the_date(community):
    suspended = UserFactory()
    MembershipFactory(
        community=community,
        user=suspended,
        status=Membership.Status.SUSPENDED,
        suspended_until=timezone.now() + timedelta(days=2),
    )
    standing = access_community(suspended, community.slug, within="knowledge.view_knowledge")
    assert standing.is_suspended and not standing.is_member
    with pytest.raises(PermissionDenied, match="suspended until"):
        access_community(suspended, community.slug, need="knowledge.contribute")


def test_need_refuses_with_the_rules_message(community, member):
    with pytest.raises(PermissionDenied, match="Only managers can send invitations."):
        access_community(member, community.slug, need="communities.invite")


def test_outsider_without_knowledge_access_gets_404_not_403(community, outsider):
    with pytest.raises(Http404):
        access_community(outsider, community.slug, within="knowledge.view_knowledge")


def test_own_standing_reaches_a_private_community_after_a_ban(private_community):
    banned = UserFactory()
    MembershipFactory(community=private_community, user=banned, status=Membership.Status.BANNED)
    with pytest.raises(Http404):
        access_community(banned, private_community.slug)
    assert access_own_standing(banned, private_community.slug).is_banned
    with pytest.raises(Http404):
        access_own_standing(UserFactory(), private_community.slug)


def test_api_answers_403_before_400(community, member):
    # A member may not invite: refused before the (invalid) body is read.
    response = _api(member).post(
        f"/api/v1/communities/{community.slug}/invitations/", {"email": "not-an-email"}
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "Only managers can send invitations."


def test_api_answers_401_before_404(private_community):
    assert _api().get(f"/api/v1/communities/{private_community.slug}/").status_code == 401


def _api_routes(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _api_routes(entry, route)
        elif isinstance(entry, URLPattern) and route.startswith("api/"):
            yield route, entry.callback


def test_every_community_scoped_api_view_derives_from_the_base_class():
    scoped = [(route, view) for route, view in _api_routes() if "<slug:slug>" in route]
    assert len(scoped) > 20  # communities, knowledge and moderation
    strays = [route for route, view in scoped if not issubclass(view.cls, CommunityEndpoint)]
    assert strays == []


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


@pytest.mark.parametrize("who", ["anonymous", "outsider", "suspended", "manager", "org_staff"])
def test_the_one_statement_reads_what_the_orm_reads(request, community, organization, who):
    """``access_community`` reads the community, its firm, the viewer's membership and the
    viewer's firms in one hand-written statement: each object holds exactly the values the ORM
    reads for it (time-zone-aware datetimes included, on PostgreSQL and SQLite alike)."""
    viewer = {
        "anonymous": AnonymousUser(),
        "outsider": UserFactory(),
        "suspended": MembershipFactory(
            community=community,
            status=Membership.Status.SUSPENDED,
            suspended_until=timezone.now() + timedelta(days=2),
        ).user,
    }.get(who) or request.getfixturevalue(who)
    standing = access_community(viewer, community.slug)
    assert _fields(standing.community) == _fields(type(community).objects.get(pk=community.pk))
    assert _fields(standing.community.organization) == _fields(organization)
    assert standing.community.created_at.tzinfo is not None
    expected = (
        Membership.objects.filter(community=community, user=viewer).first()
        if viewer.is_authenticated
        else None
    )
    if expected is None:
        assert standing.membership is None
    else:
        assert _fields(standing.membership) == _fields(expected)
    # The viewer's firms came with it: the staff check that follows runs no query.
    with CaptureQueriesContext(connection) as queries:
        assert standing.is_org_staff is (who == "org_staff")
    assert len(queries) == 0
