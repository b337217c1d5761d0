"""Which cached pages a change to firms, communities and memberships makes stale.

Saves and deletes are caught here (signals); a service that changes rows with ``update()``
bumps the same scopes itself. Coarse on purpose: a write is rare next to the reads it saves.
"""

from django.conf import settings

from cocreate import generations

from .models import Community, Membership, Organization, OrganizationStaff


def _wide(community_ids) -> list[str]:
    return [scope for pk in community_ids for scope in generations.community_wide(pk)]


def _community(sender, instance: Community, **kwargs) -> None:
    generations.bump(generations.directory(), *generations.community_wide(instance.pk))


def _organization(sender, instance: Organization, **kwargs) -> None:
    ids = Community.objects.filter(organization_id=instance.pk).values_list("pk", flat=True)
    generations.bump(generations.directory(), *_wide(ids))


def _staff(sender, instance: OrganizationStaff, **kwargs) -> None:
    # Staff see and manage every community of their firm.
    ids = Community.objects.filter(organization_id=instance.organization_id).values_list(
        "pk", flat=True
    )
    generations.bump(generations.user(instance.user_id), *_wide(ids))


def _membership(sender, instance: Membership, **kwargs) -> None:
    generations.bump(
        generations.directory(),
        *generations.community_wide(instance.community_id),
        generations.user(instance.user_id),
    )


def _person(sender, instance, update_fields=None, **kwargs) -> None:
    """A member's name shows on their communities' pages (cards, threads, member lists)."""
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    ids = Membership.objects.filter(user_id=instance.pk).values_list("community_id", flat=True)
    generations.bump(*_wide(ids))


def connect() -> None:
    generations.on_change(
        (
            (Community, _community),
            (Organization, _organization),
            (OrganizationStaff, _staff),
            (Membership, _membership),
            (settings.AUTH_USER_MODEL, _person),
        )
    )
