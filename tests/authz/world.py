"""One world for the authorization matrix: a firm with a public by-request community, a private
invitation-only community and an open community, and one person for every role."""

from dataclasses import dataclass, field

from communities import services
from communities.models import Community, Invitation, Membership, Organization

from ..factories import (
    CommunityFactory,
    MembershipFactory,
    OrganizationFactory,
    OrganizationStaffFactory,
    UserFactory,
)

ROLES = (
    "anonymous",
    "outsider",
    "member",
    "moderator",
    "manager",
    "org_staff",
    "platform_admin",
)


@dataclass
class World:
    organization: Organization
    community: Community  # public, join by request, with an application question
    private_community: Community  # private, invitation only
    open_community: Community  # public, open
    users: dict = field(default_factory=dict)  # role -> User (no entry for anonymous)
    pending: Membership | None = None  # a pending join request in ``community``
    target: Membership | None = None  # a plain active member of ``community`` (not a role user)
    invitation: Invitation | None = None  # an open invitation to ``private_community``
    invitation_token: str = ""
    extra: dict = field(default_factory=dict)  # room for later issues' objects


def build_world() -> World:
    organization = OrganizationFactory(name="Matrix Firm", slug="matrix-firm")
    community = CommunityFactory(
        organization=organization,
        slug="public-request",
        join_policy=Community.JoinPolicy.REQUEST,
        application_question="Why?",
    )
    private_community = CommunityFactory(
        organization=organization,
        slug="private-invite",
        visibility=Community.Visibility.PRIVATE,
        join_policy=Community.JoinPolicy.INVITATION,
    )
    open_community = CommunityFactory(
        organization=organization, slug="public-open", join_policy=Community.JoinPolicy.OPEN
    )
    world = World(
        organization=organization,
        community=community,
        private_community=private_community,
        open_community=open_community,
    )
    world.users["outsider"] = UserFactory(display_name="Outsider")
    for role in ("member", "moderator", "manager"):
        user = UserFactory(display_name=role.title())
        for c in (community, private_community, open_community):
            MembershipFactory(community=c, user=user, role=role)
        world.users[role] = user
    world.users["org_staff"] = OrganizationStaffFactory(
        organization=organization, user=UserFactory(display_name="Staff")
    ).user
    world.users["platform_admin"] = UserFactory(
        display_name="Admin", is_staff=True, is_superuser=True
    )
    world.pending = MembershipFactory(
        community=community,
        user=UserFactory(display_name="Applicant"),
        status=Membership.Status.PENDING,
        application_answer="Because.",
    )
    world.target = MembershipFactory(community=community, user=UserFactory(display_name="Target"))
    # Invited address: the outsider's, so "outsider accepts" is the one success.
    world.invitation, world.invitation_token = services.invitation_create(
        actor=world.users["manager"],
        community=private_community,
        email=world.users["outsider"].email,
    )
    return world
