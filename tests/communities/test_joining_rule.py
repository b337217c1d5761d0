"""Who may join, as decided in the role table (communities/rules.py, README): anyone signed
in, the firm's staff and platform admins included, joins an open or by-request community as an
ordinary member; private and invitation-only communities only through an invitation; never
when banned. ``membership_join`` asks the rule itself, through the permission helper."""

import pytest
import rules
from django.contrib.auth.models import AnonymousUser

from cocreate.errors import PermissionDenied
from cocreate.permissions import allowed
from communities import services
from communities.models import Community, Membership

from ..factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["outsider", "org_staff", "platform_admin"])
def test_staff_and_admins_join_as_ordinary_members(request, who, open_community):
    user = request.getfixturevalue(who)
    assert allowed(user, "communities.join_community", open_community)
    membership = services.membership_join(user=user, community=open_community)
    assert (membership.status, membership.role) == (
        Membership.Status.ACTIVE,
        Membership.Role.MEMBER,
    )


@pytest.mark.parametrize("who", ["outsider", "org_staff", "platform_admin"])
def test_nobody_joins_an_invitation_only_community_directly(request, who, private_community):
    user = request.getfixturevalue(who)
    assert not allowed(user, "communities.join_community", private_community)
    with pytest.raises(PermissionDenied, match="open by invitation only"):
        services.membership_join(user=user, community=private_community)


def test_a_private_community_that_takes_requests_is_still_invitation_only(organization, org_staff):
    hidden = CommunityFactory(
        organization=organization,
        visibility=Community.Visibility.PRIVATE,
        join_policy=Community.JoinPolicy.REQUEST,
    )
    assert not allowed(org_staff, "communities.join_community", hidden)
    with pytest.raises(PermissionDenied, match="open by invitation only"):
        services.membership_join(user=org_staff, community=hidden, answer="Me")


def test_banned_people_are_told_why(open_community, platform_admin):
    MembershipFactory(
        community=open_community, user=platform_admin, status=Membership.Status.BANNED
    )
    with pytest.raises(PermissionDenied, match="You have been banned from this community."):
        services.membership_join(user=platform_admin, community=open_community)


def test_anonymous_is_asked_to_sign_in(open_community):
    with pytest.raises(PermissionDenied, match="Sign in to join a community."):
        services.membership_join(user=AnonymousUser(), community=open_community)


def test_membership_join_asks_the_rule(open_community):
    original = rules.permissions.permissions["communities.join_community"]
    rules.set_perm("communities.join_community", rules.always_deny)
    try:
        with pytest.raises(PermissionDenied):
            services.membership_join(user=UserFactory(), community=open_community)
    finally:
        rules.set_perm("communities.join_community", original)
