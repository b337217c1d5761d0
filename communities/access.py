"""The access boundary for communities: resolve one for a viewer, with the viewer's standing.

Every view, API view and selector gets a community through :func:`access_community` (or, for
a member's own moderation page, :func:`access_own_standing`), in the style of Zulip's
``access_stream_by_id``:

- a missing community and one the viewer may not see raise the **same** ``Http404``, so a
  private community's slug reveals nothing;
- a viewer who knows the community but was banned from the part they asked for gets a 403
  **with the reason** ("You are banned from this community.") instead of "not found";
- ``need`` names the permission the action requires; without it: 403 with the message
  declared beside that rule (``cocreate.permissions``).

The community comes back with the viewer's membership in one query, and the rules' membership
cache is seeded, so the permission checks that follow cost nothing.
"""

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import FilteredRelation, Q
from django.http import Http404

from cocreate.errors import PermissionDenied
from cocreate.permissions import allowed, require
from cocreate.raw_rows import columns, instance

from .models import Community, Membership, Organization
from .rules import (
    is_org_staff,
    is_platform_admin,
    membership_for,
    remember_membership,
    standing_refusal,
)

VIEW_COMMUNITY = "communities.view_community"


@dataclass(frozen=True)
class Standing:
    """A community as one viewer stands in it: their membership (None without one) and what
    it makes them. Role flags count only an active membership (a suspension whose end has
    passed is active)."""

    community: Community
    membership: Membership | None
    viewer: Any

    @property
    def status(self) -> str | None:
        return self.membership.effective_status if self.membership is not None else None

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership is not None and self.is_member else None

    @property
    def is_member(self) -> bool:
        """An active member, of any role."""
        return self.status == Membership.Status.ACTIVE

    @property
    def is_suspended(self) -> bool:
        return self.status == Membership.Status.SUSPENDED

    @property
    def is_banned(self) -> bool:
        return self.status == Membership.Status.BANNED

    @property
    def is_moderator(self) -> bool:
        """An active moderator or manager of the community."""
        return self.role in (Membership.Role.MODERATOR, Membership.Role.MANAGER)

    @property
    def is_manager(self) -> bool:
        return self.role == Membership.Role.MANAGER

    @property
    def is_org_staff(self) -> bool:
        """Staff of the firm that runs the community (one query per request at most)."""
        return is_org_staff.test(self.viewer, self.community)

    @property
    def is_platform_admin(self) -> bool:
        return is_platform_admin.test(self.viewer)

    def allows(self, perm: str) -> bool:
        """Whether the rule ``perm`` allows the viewer on this community."""
        return allowed(self.viewer, perm, self.community)


# The community at a slug with its firm and one person's membership: the ORM's
# select_related("organization") and select_related FilteredRelation, written by hand.
# Only the models' own column names are interpolated; the slug and user are parameters.
_FETCH_SQL = (
    f"SELECT {columns(Community, 'c')}, {columns(Organization, 'o')}{{membership}}"  # noqa: S608
    " FROM communities_community c"
    " INNER JOIN communities_organization o ON c.organization_id = o.id{join}"
    " WHERE c.slug = %s LIMIT 1"
)
_FETCH_WITH_MEMBERSHIP = _FETCH_SQL.format(
    membership=f", {columns(Membership, 'm')}",
    join=(" LEFT OUTER JOIN communities_membership m ON c.id = m.community_id AND m.user_id = %s"),
)
_FETCH_ANONYMOUS = _FETCH_SQL.format(membership="", join="")
_COMMUNITY_END = len(Community._meta.concrete_fields)
_ORGANIZATION_END = _COMMUNITY_END + len(Organization._meta.concrete_fields)


def _fetch(viewer: Any, slug: str) -> tuple[Community | None, Membership | None]:
    """The community at ``slug`` and the viewer's membership in one query (a filtered outer
    join on the unique (community, user) pair); the rules' membership cache is seeded.

    Every community-scoped request starts here, so the query is written by hand (building
    and compiling the queryset cost more than running it); the instances are made as the
    ORM makes them for ``Community.objects.select_related("organization")`` with the
    membership as a selected ``FilteredRelation`` (``viewer_membership_row``):
    ``tests/communities/test_access_sql.py`` holds the two equal."""
    signed_in = viewer is not None and viewer.is_authenticated
    with connection.cursor() as cursor:
        if signed_in:
            cursor.execute(_FETCH_WITH_MEMBERSHIP, [viewer.pk, slug])
        else:
            cursor.execute(_FETCH_ANONYMOUS, [slug])
        row = cursor.fetchone()
    if row is None:
        return None, None
    community = instance(Community, row[:_COMMUNITY_END])
    organization = instance(Organization, row[_COMMUNITY_END:_ORGANIZATION_END])
    Community._meta.get_field("organization").set_cached_value(community, organization)
    membership = None
    if signed_in and row[_ORGANIZATION_END] is not None:  # the membership's id
        membership = instance(Membership, row[_ORGANIZATION_END:])
        Membership._meta.get_field("community").set_cached_value(membership, community)
        community.viewer_membership_row = membership  # type: ignore[attr-defined]  # as the ORM sets it
    if signed_in:
        remember_membership(community, viewer, membership)
    community.viewer_membership = membership
    return community, membership


def _fetch_orm(viewer: Any, slug: str) -> Community | None:
    """``_fetch``'s query through the ORM: what tests compare it to."""
    qs = Community.objects.select_related("organization").filter(slug=slug)
    if viewer is not None and viewer.is_authenticated:
        qs = qs.annotate(
            viewer_membership_row=FilteredRelation(
                "memberships", condition=Q(memberships__user=viewer)
            )
        ).select_related("viewer_membership_row")  # type: ignore[misc]  # a FilteredRelation
    return next(iter(qs.order_by()[:1]), None)


def access_community(
    viewer: Any, slug: str, *, within: str = VIEW_COMMUNITY, need: str | None = None
) -> Standing:
    """The community at ``slug`` with the viewer's standing in it.

    ``within`` is the permission that makes the community, or the part of it asked for (e.g.
    ``knowledge.view_knowledge``: knowledge is members-only even in a public community), visible:
    without it, ``Http404``, as for a missing slug; except that a banned person who can see
    the community itself gets 403 with the reason. ``need`` is the permission the action
    requires: without it, 403 with the rule's message.
    """
    community, membership = _fetch(viewer, slug)
    if community is None or not allowed(viewer, VIEW_COMMUNITY, community):
        raise Http404
    if within != VIEW_COMMUNITY and not allowed(viewer, within, community):
        if membership is not None and membership.status == Membership.Status.BANNED:
            # They know the community (and their ban): say so rather than "not found".
            raise PermissionDenied(standing_refusal(viewer, community))
        raise Http404
    if need is not None:
        require(viewer, need, community)
    return Standing(community=community, membership=membership, viewer=viewer)


# The statuses that still reach one's own moderation page in a community one may no longer
# see: to read the reasons of a suspension or ban, and to appeal.
OWN_STANDING_STATUSES = (
    Membership.Status.ACTIVE,
    Membership.Status.SUSPENDED,
    Membership.Status.BANNED,
    Membership.Status.LEFT,
)


def access_own_standing(viewer: Any, slug: str) -> Standing:
    """The community for the viewer's own moderation page: reached by anyone who may see it,
    and by its suspended, banned and departed members even when it is private; else 404."""
    if viewer is None or not viewer.is_authenticated:
        raise Http404
    community, membership = _fetch(viewer, slug)
    if community is None:
        raise Http404
    has_standing = membership is not None and membership.status in OWN_STANDING_STATUSES
    if not (has_standing or allowed(viewer, VIEW_COMMUNITY, community)):
        raise Http404
    return Standing(community=community, membership=membership, viewer=viewer)


def standing_for(viewer: Any, community: Community) -> Standing:
    """The standing of a viewer in a community already resolved (e.g. through an object)."""
    return Standing(
        community=community, membership=membership_for(viewer, community), viewer=viewer
    )
