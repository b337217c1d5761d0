"""Reads on communities that pages and the API share. They authorize as they fetch: a caller
only ever holds what the actor may see, and a private community answers 404 to outsiders."""

from typing import Any

from django.db import connection
from django.db.models import F, FilteredRelation, Q, QuerySet, Value
from django.db.models.functions import Upper
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from accounts.types import Viewer
from cocreate.caching import generations, remembered
from cocreate.permissions import require
from cocreate.raw_rows import KeysetRows

from .models import Community, Invitation, Membership, Organization, OrganizationStaff
from .rules import _org_staff_ids as cached_ids
from .rules import remember_membership

VISIBLE_STATUSES = (Membership.Status.ACTIVE, Membership.Status.SUSPENDED)

DIRECTORY_SORTS: dict[str, tuple[str, ...]] = {
    "name": ("name", "id"),
    "popular": ("-member_count", "id"),
    "new": ("-created_at", "-id"),
}


def _org_staff_ids(user: Viewer) -> list[int]:
    return list(cached_ids(user))


def communities_visible_to(user: Viewer) -> QuerySet[Community]:
    """Every community the user may see: public ones, their own, their firm's; admins all."""
    qs = Community.objects.select_related("organization")
    if user.is_authenticated and user.is_superuser:
        return qs
    visible = Q(visibility=Community.Visibility.PUBLIC)
    if user.is_authenticated:
        visible |= Q(
            pk__in=Membership.objects.filter(user=user, status__in=VISIBLE_STATUSES).values(
                "community_id"
            )
        )
        # The firms whose staff the user is: a subquery, unless this request already knows them.
        staff_orgs = getattr(user, "_org_staff_ids", None)
        if staff_orgs is None:
            visible |= Q(
                organization_id__in=OrganizationStaff.objects.filter(user=user).values(
                    "organization_id"
                )
            )
        elif staff_orgs:
            visible |= Q(organization_id__in=list(staff_orgs))
    return qs.filter(visible)


def community_directory(
    *,
    user: Viewer,
    query: str = "",
    join_policy: str = "",
    organization: str = "",
    mine: bool = False,
) -> QuerySet[Community]:
    """The directory's filtered queryset (unordered; the caller paginates by a sort key)."""
    qs = communities_visible_to(user)
    query = " ".join(query.split())[:100]
    if query:
        qs = qs.filter(
            Q(name__icontains=query) | Q(tagline__icontains=query) | Q(description__icontains=query)
        )
    if join_policy in Community.JoinPolicy.values:
        qs = qs.filter(join_policy=join_policy)
    if organization:
        qs = qs.filter(organization__slug=organization)
    if mine and user.is_authenticated:
        qs = qs.filter(
            pk__in=Membership.objects.filter(user=user, status__in=VISIBLE_STATUSES).values(
                "community_id"
            )
        )
    return qs


DIRECTORY_ROW_FIELDS = (
    "id",
    "slug",
    "name",
    "tagline",
    "description",
    "visibility",
    "join_policy",
    "application_question",
    "member_count",
    "created_at",
    "organization__slug",
    "organization__name",
)


def directory_rows(
    queryset: QuerySet[Community],
    *,
    user: Viewer,
    fields: tuple[str, ...] = DIRECTORY_ROW_FIELDS,
    named: bool = False,
) -> QuerySet[Community, Any]:
    """``community_directory`` rows (dicts, or named tuples with ``named``) of ``fields`` and
    the viewer's own membership (``viewer_role``, ``viewer_status``: ``None`` without one),
    joined in: one query for a page, no model instances."""
    if user.is_authenticated:
        queryset = queryset.annotate(
            viewer_membership_row=FilteredRelation(
                "memberships", condition=Q(memberships__user=user)
            )
        ).annotate(
            viewer_role=F("viewer_membership_row__role"),
            viewer_status=F("viewer_membership_row__status"),
        )
    else:
        none = Value(None, output_field=Membership._meta.get_field("role"))
        queryset = queryset.annotate(viewer_role=none, viewer_status=none)
    columns = (*fields, "viewer_role", "viewer_status")
    if named:
        return queryset.values_list(*columns, named=True)
    return queryset.values(*columns)


# directory_rows(community_directory(...)) written by hand: see directory_page_rows.
_DIRECTORY_SQL = """
SELECT c.id AS id, c.slug AS slug, c.name AS name, c.tagline AS tagline,
  c.description AS description, c.visibility AS visibility, c.join_policy AS join_policy,
  c.application_question AS application_question, c.member_count AS member_count,
  c.created_at AS created_at, o.slug AS organization__slug, o.name AS organization__name,
  {viewer} AS viewer_role, {viewer_status} AS viewer_status
FROM communities_community c
INNER JOIN communities_organization o ON c.organization_id = o.id{membership_join}
WHERE TRUE"""
_VIEWER_MEMBERSHIP_JOIN = (
    "\nLEFT OUTER JOIN communities_membership m ON c.id = m.community_id AND m.user_id = %s"
)
_MEMBER_OF = (
    "c.id IN (SELECT u.community_id FROM communities_membership u"
    " WHERE u.status IN %s AND u.user_id = %s)"
)
_DIRECTORY_SORTABLE = {
    "id": "c.id",
    "name": "c.name",
    "member_count": "c.member_count",
    "created_at": "c.created_at",
}


def directory_page_rows(
    *,
    user: Viewer,
    query: str = "",
    join_policy: str = "",
    organization: str = "",
    mine: bool = False,
) -> KeysetRows:
    """``directory_rows(community_directory(...))`` — the same rows, visibility and filters —
    as one hand-written, parameterised SELECT for the API's cursor paginator.

    Building and compiling that queryset (the visibility Qs and subqueries, the filtered
    relation of the viewer's membership, values(), the cursor's filter) cost the API directory
    more than its query; here it is a string. Orders by any of DIRECTORY_SORTS' fields.
    ``tests/communities/test_directory_sql.py`` holds it equal to the ORM version across
    viewers, filters, sorts and cursor pages: change both together.
    """
    signed_in = user.is_authenticated
    params: list[Any] = []
    if signed_in:
        sql = _DIRECTORY_SQL.format(
            viewer="m.role", viewer_status="m.status", membership_join=_VIEWER_MEMBERSHIP_JOIN
        )
        params.append(user.pk)
    else:
        sql = _DIRECTORY_SQL.format(viewer="NULL", viewer_status="NULL", membership_join="")
    if not (signed_in and user.is_superuser):  # as communities_visible_to
        visible = ["c.visibility = %s"]
        params.append(Community.Visibility.PUBLIC)
        if signed_in:
            visible.append(_MEMBER_OF)
            params += [VISIBLE_STATUSES, user.pk]
            staff_orgs = getattr(user, "_org_staff_ids", None)
            if staff_orgs is None:
                visible.append(
                    "c.organization_id IN (SELECT s.organization_id"
                    " FROM communities_organizationstaff s WHERE s.user_id = %s)"
                )
                params.append(user.pk)
            elif staff_orgs:
                visible.append("c.organization_id IN %s")
                params.append(tuple(staff_orgs))
        sql += f" AND ({' OR '.join(visible)})"
    query = " ".join(query.split())[:100]
    if query:
        pattern = f"%{connection.ops.prep_for_like_query(query)}%"
        sql += (
            " AND (UPPER(c.name::text) LIKE UPPER(%s) OR UPPER(c.tagline::text) LIKE UPPER(%s)"
            " OR UPPER(c.description::text) LIKE UPPER(%s))"
        )
        params += [pattern, pattern, pattern]
    if join_policy in Community.JoinPolicy.values:
        sql += " AND c.join_policy = %s"
        params.append(join_policy)
    if organization:
        sql += " AND o.slug = %s"
        params.append(organization)
    if mine and signed_in:
        sql += f" AND {_MEMBER_OF}"
        params += [VISIBLE_STATUSES, user.pk]
    return KeysetRows(sql=sql, params=params, model=Community, sortable=_DIRECTORY_SORTABLE)


def membership_map(*, user: Viewer, communities: list[Community]) -> dict[int, Membership]:
    """The user's memberships for a page of communities, in one query; seeds the rules cache."""
    if not user.is_authenticated or not communities:
        return {}
    found = {
        m.community_id: m
        for m in Membership.objects.filter(user=user, community__in=[c.pk for c in communities])
    }
    for community in communities:
        remember_membership(community, user, found.get(community.pk))
    return found


def my_memberships(*, user: User) -> QuerySet[Membership]:
    """The user's communities and requests, newest first, with their community loaded."""
    return Membership.objects.filter(
        user=user,
        status__in=[
            Membership.Status.ACTIVE,
            Membership.Status.SUSPENDED,
            Membership.Status.PENDING,
            Membership.Status.DECLINED,
        ],
    ).select_related("community", "community__organization")


def community_members(
    *, user: Viewer, community: Community, role: str = "", query: str = ""
) -> QuerySet[Membership]:
    """Active and suspended members, for those allowed to see the member list."""
    require(user, "communities.view_members", community)
    qs = Membership.objects.filter(community=community, status__in=VISIBLE_STATUSES).select_related(
        "user"
    )
    if role in Membership.Role.values:
        qs = qs.filter(role=role)
    query = query.strip()[:100]
    if query:
        qs = qs.filter(user__display_name__icontains=query)
    return qs


def member_get(*, user: Viewer, community: Community, membership_id: int) -> Membership:
    membership = community_members(user=user, community=community).filter(pk=membership_id).first()
    if membership is None:
        raise Http404
    return membership


def member_person(*, user: Viewer, community: Community, person_id: int) -> Membership:
    """The membership (with the person) of ``person_id`` in ``community``, for those allowed to
    see the member list (403 otherwise, as for the list); 404 unless that person is an active
    or suspended member, so the page shows nobody outside the community."""
    membership = community_members(user=user, community=community).filter(user_id=person_id).first()
    if membership is None:
        raise Http404
    return membership


MENTION_SUGGESTIONS = 8


def mention_prefix_q(prefix: str) -> Q:
    """People whose handle or display name starts with ``prefix``, whatever the case: each
    test can use an index on PostgreSQL (the handle's pattern index, handles being stored
    lower-case; ``accounts_user_name_upper_prefix`` for ``UPPER(display_name) LIKE 'MA%'``)."""
    return Q(handle__startswith=prefix.lower()) | Q(display_name__istartswith=prefix)


def mention_suggestions(
    *, user: Viewer, community: Community, prefix: str, limit: int = MENTION_SUGGESTIONS
) -> list[User]:
    """Up to ``limit`` active members (not ``user``) whose handle or display name starts with
    ``prefix`` (case-insensitive), by name then handle: whom a comment may @mention.

    For those allowed to see the member list. One query (``mention_prefix_q`` says which
    indexes serve it)."""
    require(user, "communities.view_members", community)
    prefix = prefix.strip()[:30]
    if not prefix or not user.is_authenticated:  # view_members is never an anonymous right
        return []
    return list(
        User.objects.filter(
            mention_prefix_q(prefix),
            is_active=True,
            handle__isnull=False,
            memberships__community=community,
            memberships__status=Membership.Status.ACTIVE,
        )
        .exclude(pk=user.pk)
        .order_by(Upper("display_name"), "handle")
        .only("id", "handle", "display_name")[:limit]
    )


def join_requests(*, user: Viewer, community: Community) -> QuerySet[Membership]:
    """Pending join requests, oldest first, for the community's managers."""
    require(user, "communities.decide_join_request", community)
    return Membership.objects.filter(
        community=community, status=Membership.Status.PENDING
    ).select_related("user")


def join_request_get(*, user: Viewer, community: Community, membership_id: int) -> Membership:
    membership = join_requests(user=user, community=community).filter(pk=membership_id).first()
    if membership is None:
        raise Http404
    return membership


def invitations(*, user: Viewer, community: Community, state: str = "") -> QuerySet[Invitation]:
    """The community's invitations for its managers; ``state`` filters open/accepted/revoked/
    expired (the same rules as ``Invitation.state``)."""
    require(user, "communities.invite", community)
    qs = Invitation.objects.filter(community=community).select_related("invited_by")
    now = timezone.now()
    if state == "accepted":
        qs = qs.filter(accepted_at__isnull=False)
    elif state == "revoked":
        qs = qs.filter(accepted_at__isnull=True, revoked_at__isnull=False)
    elif state == "expired":
        qs = qs.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lte=now)
    elif state == "open":
        qs = qs.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)
    return qs


def invitation_get(*, user: Viewer, community: Community, invitation_id: int) -> Invitation:
    invitation = invitations(user=user, community=community).filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404
    return invitation


def directory_organizations(*, user: Viewer) -> QuerySet[Organization]:
    """Organisations that run at least one community the user may see (the directory filter)."""
    return Organization.objects.filter(
        pk__in=communities_visible_to(user).values("organization_id")
    ).order_by("name", "id")


def directory_organization_choices(*, user: Viewer) -> list[tuple[str, str]]:
    """``directory_organizations`` as (slug, name) pairs: all the directory filter shows.
    Remembered while no firm, community visibility or (for a signed-in viewer) their own
    memberships and staff roles change: a join elsewhere leaves it as it is."""
    viewer = user.pk if user.is_authenticated else 0
    scopes = [generations.firms(), *([generations.user(viewer)] if viewer else [])]
    return remembered(
        "directory-firms",
        scopes,
        lambda: [
            (slug, name)
            for slug, name in directory_organizations(user=user).values_list("slug", "name")
        ],
        parts=(viewer,),
    )


def organizations_for_creator(*, user: Viewer) -> QuerySet[Organization]:
    """Organisations in which the user may create communities."""
    if user.is_authenticated and user.is_superuser:
        return Organization.objects.all()
    return Organization.objects.filter(pk__in=_org_staff_ids(user))


def community_scopes(slug: str, *, setup_only: bool = False) -> list[str]:
    """The generation scope of the community at ``slug`` (none when there is no such
    community): what a cached page of it is built from — anything in it, or with
    ``setup_only`` its setup without its contributions' activity. See
    ``cocreate.caching.generations``.
    """
    scope = generations.community_setup if setup_only else generations.community
    ids = list(Community.objects.filter(slug=slug).values_list("pk", flat=True)[:1])
    return [scope(pk) for pk in ids]
