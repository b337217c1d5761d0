"""One world for the authorization matrix: a firm with a public by-request community, a private
invitation-only community and an open community, and one person for every role."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from communities import services
from communities.models import Community, Invitation, Membership, Organization
from knowledge import services as knowledge
from moderation import services as moderation

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
    # Knowledge in ``community`` (public, by request):
    toolkit: object = None  # active toolkit (manager-made), fields: problem (required long text)
    challenge: object = None  # open challenge using ``toolkit``
    contribution: object = None  # submitted by the member, in ``challenge``
    draft: object = None  # the member's draft
    comment: object = None  # the moderator's top-level comment on ``contribution``
    scorecard: object = None  # the community's scorecard with one criterion "impact"


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
    # Everyone in the world joined long ago: established members, whose posts are published at
    # once (pre-moderation of new members is exercised by the moderation tests).

    Membership.objects.filter(
        community__organization=organization, status=Membership.Status.ACTIVE
    ).update(joined_at=timezone.now() - timedelta(days=90))
    _add_knowledge(world)
    _add_moderation(world)
    _add_trust(world)
    return world


def _add_knowledge(world: World) -> None:

    manager, member = world.users["manager"], world.users["member"]
    world.toolkit = knowledge.toolkit_create(
        actor=manager,
        community=world.community,
        title="Share an idea",
        fields=[{"label": "Problem", "type": "long_text", "required": True}],
    )
    world.challenge = knowledge.challenge_create(
        actor=manager,
        community=world.community,
        title="Quieter bikes",
        brief="How could bikes be quieter?",
        toolkits=[world.toolkit],
        deadline=timezone.now() + timedelta(days=30),
        phase="open",
    )
    world.contribution = knowledge.contribution_create(
        author=member,
        community=world.community,
        toolkit=world.toolkit,
        challenge=world.challenge,
        title="Wax the chain",
        body="Wax instead of oil.",
        fields={"problem": "Squeaky chains"},
        tags="chains",
    )
    world.draft = knowledge.contribution_create(
        author=member,
        community=world.community,
        toolkit=world.toolkit,
        title="Half an idea",
        fields={},
        submit=False,
    )
    world.comment = knowledge.comment_create(
        author=world.users["moderator"],
        discussion=world.contribution.discussion,
        body="Tell us more.",
    )
    world.scorecard = knowledge.scorecard_create(
        actor=manager,
        community=world.community,
        title="Fit",
        criteria=[{"label": "Impact", "weight": 1}],
    )


def _add_moderation(world: World) -> None:
    """Moderation objects in ``community``, kept in ``extra``:

    - ``target_comment``: the target member's comment, flagged by the member (open flag);
    - ``other_moderator``: a moderator of ``community`` who is not one of the role users;
    - ``member_warning``: a warning of the member by ``other_moderator`` (not yet appealed);
    - ``appeal``: the target's open appeal of a hide by ``other_moderator`` (any other
      moderator may decide it);
    - ``elsewhere``: a public community where none of the role users is a member, so the
      moderator and manager of ``community`` are refused there.
    """
    target = world.target.user
    other = UserFactory(display_name="Other Moderator")
    MembershipFactory(community=world.community, user=other, role="moderator")
    world.extra["other_moderator"] = other
    world.extra["target_comment"] = knowledge.comment_create(
        author=target,
        discussion=world.contribution.discussion,
        body="Buy cheap chains at example.com",
    )
    moderation.flag_create(
        reporter=world.users["member"], comment=world.extra["target_comment"], reason="spam"
    )
    world.extra["member_warning"] = moderation.moderation_act(
        actor=other,
        kind="warn",
        reason="Please stay on topic.",
        member=world.users["member"],
        community=world.community,
    )
    hidden = knowledge.comment_create(
        author=target, discussion=world.contribution.discussion, body="Something rude"
    )
    hide = moderation.moderation_act(actor=other, kind="hide", reason="Rude", comment=hidden)
    world.extra["appeal"] = moderation.appeal_create(
        appellant=target, action=hide, text="It was a joke among friends."
    )
    world.extra["elsewhere"] = CommunityFactory(
        organization=world.organization, slug="elsewhere", join_policy=Community.JoinPolicy.OPEN
    )


def _add_trust(world: World) -> None:
    """Trust objects in ``community``, kept in ``extra``: ``purpose``, an optional published
    consent purpose (optional, so joining without ticking it still works), granted by the member
    (the author of ``contribution``), so a manager may record a use of it."""
    from trust import services as trust  # noqa: PLC0415 — only the trust cases need it

    purpose = trust.purpose_create(
        actor=world.users["manager"],
        community=world.community,
        key="product",
        title="Product development",
        summary="We may use your contributions to build products.",
        text="The firm may use your contributions in product development.",
    )
    trust.purpose_publish(actor=world.users["manager"], purpose=purpose)
    purpose.refresh_from_db()
    trust.consent_grant(user=world.users["member"], purpose=purpose)
    world.extra["purpose"] = purpose
