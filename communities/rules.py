"""Who may do what in a community: small named predicates, composed into permissions.

Role x action (✓ = allowed). "staff" is the staff of the firm that owns the community,
"admin" a platform superuser. Private communities are invisible (404) to anyone without ✓
on ``view_community``.

| action                      | anon | outsider | member | moderator | manager | staff | admin |
|-----------------------------|------|----------|--------|-----------|---------|-------|-------|
| view_community (public)     | ✓    | ✓        | ✓      | ✓         | ✓       | ✓     | ✓     |
| view_community (private)    |      |          | ✓      | ✓         | ✓       | ✓     | ✓     |
| join_community              |      | ✓ (1)    |        |           |         | ✓ (1) | ✓ (1) |
| leave_community             |      |          | ✓      | ✓         | ✓ (2)   |       |       |
| view_members                |      |          | ✓      | ✓         | ✓       | ✓     | ✓     |
| moderate_community          |      |          |        | ✓         | ✓       | ✓     | ✓     |
| manage_community            |      |          |        |           | ✓       | ✓     | ✓     |
| create_community (org)      |      |          |        |           |         | ✓     | ✓     |

(1) open or by-request communities; by invitation only (and private ones) through an
    invitation; never when banned. Staff and admins join as ordinary members: the firm's people
    take part as customers do, and membership adds nothing to their staff powers.
(2) not the last manager.
"""

import rules
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from rules.predicates import is_authenticated

from cocreate.permissions import rule

from .models import Community, Membership

_CACHE_ATTR = "_membership_cache"


def membership_for(user, community: Community) -> Membership | None:
    """The user's membership in the community, fetched once per community object."""
    if user is None or not user.is_authenticated or community is None:
        return None
    cache = community.__dict__.setdefault(_CACHE_ATTR, {})
    if user.pk not in cache:
        cache[user.pk] = Membership.objects.filter(community=community, user=user).first()
    return cache[user.pk]


def remember_membership(community: Community, user, membership: Membership | None) -> None:
    """Seed the per-object cache when a selector already fetched the membership."""
    if user is not None and user.is_authenticated:
        community.__dict__.setdefault(_CACHE_ATTR, {})[user.pk] = membership


def forget_membership(community: Community) -> None:
    community.__dict__.pop(_CACHE_ATTR, None)


def _org_staff_ids(user) -> frozenset[int]:
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_org_staff_ids", None)
    if cached is None:
        cached = frozenset(user.organization_roles.values_list("organization_id", flat=True))
        user._org_staff_ids = cached
    return cached


def remember_org_staff(user, organization_ids) -> None:
    """Seed ``_org_staff_ids`` when a query already read the user's firms."""
    if user is not None and user.is_authenticated and getattr(user, "_org_staff_ids", None) is None:
        user._org_staff_ids = frozenset(organization_ids)


@rules.predicate
def is_platform_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_superuser)


@rules.predicate
def is_org_staff(user, community: Community) -> bool:
    if community is None or not user.is_authenticated:
        return False
    return community.organization_id in _org_staff_ids(user)


@rules.predicate
def is_staff_of_organization(user, organization) -> bool:
    if organization is None or not user.is_authenticated:
        return False
    return organization.pk in _org_staff_ids(user)


@rules.predicate
def is_any_org_staff(user) -> bool:
    return bool(_org_staff_ids(user))


@rules.predicate
def is_public(user, community: Community) -> bool:
    return community is not None and community.visibility == Community.Visibility.PUBLIC


def _has_status(*statuses: str):
    def check(user, community) -> bool:
        membership = membership_for(user, community)
        return membership is not None and membership.effective_status in statuses

    return check


@rules.predicate
def is_member(user, community: Community) -> bool:
    """An active member of any role."""
    return _has_status(Membership.Status.ACTIVE)(user, community)


@rules.predicate
def is_member_in_good_or_suspended_standing(user, community: Community) -> bool:
    """Active or suspended: may read, a suspended member may not write."""
    return _has_status(Membership.Status.ACTIVE, Membership.Status.SUSPENDED)(user, community)


@rules.predicate
def is_moderator(user, community: Community) -> bool:
    membership = membership_for(user, community)
    return (
        membership is not None
        and membership.effective_status == Membership.Status.ACTIVE
        and membership.role in (Membership.Role.MODERATOR, Membership.Role.MANAGER)
    )


@rules.predicate
def is_manager(user, community: Community) -> bool:
    membership = membership_for(user, community)
    return (
        membership is not None
        and membership.effective_status == Membership.Status.ACTIVE
        and membership.role == Membership.Role.MANAGER
    )


@rules.predicate
def is_banned(user, community: Community) -> bool:
    return _has_status(Membership.Status.BANNED)(user, community)


@rules.predicate
def has_open_or_pending_membership(user, community: Community) -> bool:
    return _has_status(
        Membership.Status.ACTIVE, Membership.Status.SUSPENDED, Membership.Status.PENDING
    )(user, community)


@rules.predicate
def accepts_join_or_request(user, community: Community) -> bool:
    return community is not None and community.join_policy in (
        Community.JoinPolicy.OPEN,
        Community.JoinPolicy.REQUEST,
    )


can_view_community = (
    is_public | is_member_in_good_or_suspended_standing | is_org_staff | is_platform_admin
)
can_manage_community = is_manager | is_org_staff | is_platform_admin
can_moderate_community = is_moderator | can_manage_community
can_view_members = is_member | can_moderate_community


def standing_refusal(user, community: Community) -> str:
    """Why the person may not take part in the community (post, comment, support, flag) right
    now, in words they can act on: suspended until when, banned, or not a member."""
    membership = membership_for(user, community)
    status = membership.effective_status if membership is not None else None
    if membership is not None and status == Membership.Status.SUSPENDED:
        if membership.suspended_until is not None:
            return _(
                "Your membership is suspended until %(until)s: you can read, but not post, "
                "comment, support or flag."
            ) % {
                "until": formats.date_format(
                    timezone.localtime(membership.suspended_until), "DATETIME_FORMAT"
                )
            }
        return _("Your membership is suspended: you can read, but not post, comment or support.")
    if status == Membership.Status.BANNED:
        return _("You are banned from this community.")
    return _("Only active members of this community can take part.")


@rules.predicate
def is_known_to_community(user, community: Community) -> bool:
    """Public, or the person has a membership row (e.g. left, declined): a private community is
    joined only by invitation, since it is invisible to anyone else."""
    return is_public.test(user, community) or membership_for(user, community) is not None


def _join_refusal(user, community: Community) -> str:
    if not user.is_authenticated:
        return _("Sign in to join a community.")
    if is_banned.test(user, community):
        return _("You have been banned from this community.")
    return _("This community is open by invitation only.")


rule(
    "communities.view_community",
    can_view_community,
    _lazy("This community is private."),
)
rule(
    "communities.join_community",
    is_authenticated
    & accepts_join_or_request
    & is_known_to_community
    & ~has_open_or_pending_membership
    & ~is_banned,
    _join_refusal,
)
rule(
    "communities.leave_community",
    is_member_in_good_or_suspended_standing,
    _lazy("You are not a member of this community."),
)
rule(
    "communities.view_members",
    can_view_members,
    _lazy("Only members can see who else is a member."),
)
rule(
    "communities.moderate_community",
    can_moderate_community,
    _lazy("Only this community's moderators can do this."),
)
rule(
    "communities.manage_community",
    can_manage_community,
    _lazy("Only managers can change community settings."),
)
rule(
    "communities.decide_join_request",
    can_manage_community,
    _lazy("Only managers can decide on join requests."),
)
rule("communities.change_role", can_manage_community, _lazy("Only managers can change roles."))
rule("communities.invite", can_manage_community, _lazy("Only managers can send invitations."))
rule(
    "communities.revoke_invitation",
    can_manage_community,
    _lazy("Only managers can revoke invitations."),
)
rule(
    "communities.create_community",
    is_staff_of_organization | is_platform_admin,
    _lazy("Only the organisation's staff can create communities."),
)
rule(
    "communities.create_any_community",
    is_any_org_staff | is_platform_admin,
    _lazy("Only an organisation's staff can create communities."),
)
rule(
    "communities.add_member",
    is_staff_of_organization | is_platform_admin,
    _lazy("Only the organisation's staff can add people directly."),
)
