"""Which cached pages a change to firms, communities and memberships makes stale.

Each declaration runs on the model's saves and deletes, and when a service announces a write
that bypasses ``save()`` with ``caching.changed``. Coarse on purpose: a write is rare next to
the reads it saves.
"""

from django.contrib.auth import get_user_model

from cocreate.caching import generations, invalidates

from .models import Community, Membership, Organization, OrganizationStaff


def _wide(community_ids) -> list[str]:
    return [scope for pk in community_ids for scope in generations.community_wide(pk)]


# The community columns the directory's firm filter depends on.
FIRM_FIELDS = frozenset({"organization", "organization_id", "visibility"})


@invalidates(Community)
def _community(community: Community, fields) -> list[str]:
    firms = [generations.firms()] if fields is None or fields & FIRM_FIELDS else []
    return [generations.directory(), *generations.community_wide(community.pk), *firms]


@invalidates(Organization)
def _organization(organization: Organization, fields) -> list[str]:
    ids = Community.objects.filter(organization_id=organization.pk).values_list("pk", flat=True)
    return [generations.directory(), generations.firms(), *_wide(ids)]


@invalidates(OrganizationStaff)
def _staff(staff: OrganizationStaff, fields) -> list[str]:
    # Staff see and manage every community of their firm.
    ids = Community.objects.filter(organization_id=staff.organization_id).values_list(
        "pk", flat=True
    )
    return [generations.user(staff.user_id), *_wide(ids)]


@invalidates(Membership)
def _membership(membership: Membership, fields) -> list[str]:
    return [
        generations.directory(),
        *generations.community_wide(membership.community_id),
        generations.user(membership.user_id),
    ]


@invalidates(get_user_model())
def _person(person, fields) -> list[str]:
    """A member's name shows on their communities' pages (cards, threads, member lists)."""
    if fields is not None and fields <= {"last_login"}:
        return []
    ids = Membership.objects.filter(user_id=person.pk).values_list("community_id", flat=True)
    return _wide(ids)
