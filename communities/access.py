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
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Model
from django.http import Http404

from cocreate.errors import PermissionDenied
from cocreate.permissions import allowed, require
from cocreate.raw_rows import instance_from_row, model_columns

from .models import Community, Membership, Organization, OrganizationStaff
from .rules import (
    is_org_staff,
    is_platform_admin,
    membership_for,
    remember_membership,
    remember_org_staff,
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


@cache
def _fetch_statement(vendor: str) -> str:
    """The one statement ``_fetch`` runs: the community at a slug, its firm, the viewer's
    membership in it (a left join on the unique (community, user) pair: no row for a viewer
    without one, or signed out) and the firms the viewer is staff of. Written once from the
    models' own column lists: every community page runs it, and building it through the ORM
    (a filtered relation, two joins) cost more than running it. Only identifiers come from
    the models; every value is a parameter."""
    q = connection.ops.quote_name

    def columns(model: type[Model], alias: str) -> str:
        return ", ".join(f"{alias}.{q(str(f.column))}" for f in model._meta.concrete_fields)

    community, organization, membership, staff = (
        q(model._meta.db_table)
        for model in (Community, Organization, Membership, OrganizationStaff)
    )
    # S608 below: identifiers from the models' metadata only, every value a parameter.
    firms = f"SELECT s.{q('organization_id')} AS id FROM {staff} s WHERE s.{q('user_id')} = %s"  # noqa: S608
    # The firms as one value: an array on PostgreSQL, a comma-separated text elsewhere.
    firms = (
        f"ARRAY({firms})"
        if vendor == "postgresql"
        else f"(SELECT group_concat(f.id) FROM ({firms}) f)"  # noqa: S608
    )
    return (
        f"SELECT {columns(Community, 'c')}, {columns(Organization, 'o')}, "  # noqa: S608
        f"{columns(Membership, 'm')}, {firms} FROM {community} c "
        f"JOIN {organization} o ON o.{q('id')} = c.{q('organization_id')} "
        f"LEFT JOIN {membership} m "
        f"ON m.{q('community_id')} = c.{q('id')} AND m.{q('user_id')} = %s "
        f"WHERE c.{q('slug')} = %s"
    )


def _fetch(viewer: Any, slug: str) -> tuple[Community | None, Membership | None]:
    """The community at ``slug`` and the viewer's membership in one query (see
    ``_fetch_statement``); the rules' membership cache and the viewer's firms are seeded."""
    signed_in = viewer is not None and viewer.is_authenticated
    user_id = viewer.pk if signed_in else None
    with connection.cursor() as cursor:
        cursor.execute(_fetch_statement(connection.vendor), [user_id, user_id, slug])
        row = cursor.fetchone()
    if row is None:
        return None, None
    n_community, n_organization = len(model_columns(Community)), len(model_columns(Organization))
    community = instance_from_row(Community, row[:n_community])
    community.organization = instance_from_row(
        Organization, row[n_community : n_community + n_organization]
    )
    membership_values = row[n_community + n_organization : -1]
    membership = None
    if membership_values[0] is not None:  # its primary key: None where the join found none
        membership = instance_from_row(Membership, membership_values)
        membership.community = community
    if signed_in:
        remember_membership(community, viewer, membership)
        staff_ids = row[-1]
        if isinstance(staff_ids, str) or staff_ids is None:  # SQLite's group_concat
            staff_ids = [int(x) for x in (staff_ids or "").split(",") if x]
        remember_org_staff(viewer, staff_ids)
    community.viewer_membership = membership
    return community, membership


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
