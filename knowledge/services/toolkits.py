"""Writes on toolkits: designing, revising (each revision a new version) and retiring them."""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from cocreate import caching
from cocreate.errors import ValidationError
from cocreate.permissions import require
from communities.models import Community

from ..models import Kind, Toolkit, ToolkitVersion
from ..toolkit_fields import clean_field_definitions


@transaction.atomic
def toolkit_create(
    *,
    actor: User,
    community: Community,
    title: str,
    kind: str = Kind.IDEA,
    custom_kind: str = "",
    guidance: str = "",
    fields: list | None = None,
) -> Toolkit:
    """Create a toolkit with its first version. Managers only."""
    require(actor, "knowledge.design_toolkit", community)
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Choose a kind.")})
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the toolkit a title.")})
    definitions = clean_field_definitions(fields or [])
    toolkit = Toolkit.objects.create(
        community=community, kind=kind, custom_kind=custom_kind.strip()[:40], created_by=actor
    )
    version = ToolkitVersion.objects.create(
        toolkit=toolkit,
        number=1,
        title=title[:120],
        guidance=guidance.strip(),
        fields=definitions,
        created_by=actor,
    )
    toolkit.current_version = version
    toolkit.save(update_fields=["current_version"])
    return toolkit


@transaction.atomic
def toolkit_revise(
    *, actor: User, toolkit: Toolkit, title: str, guidance: str, fields: list
) -> ToolkitVersion:
    """Add a new version; contributions already written keep the version they used."""
    toolkit = Toolkit.objects.select_for_update().select_related("community").get(pk=toolkit.pk)
    require(actor, "knowledge.edit_toolkit", toolkit.community)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the toolkit a title.")})
    number = (toolkit.versions.order_by("-number").values_list("number", flat=True).first()) or 0
    version = ToolkitVersion.objects.create(
        toolkit=toolkit,
        number=number + 1,
        title=title[:120],
        guidance=guidance.strip(),
        fields=clean_field_definitions(fields),
        created_by=actor,
    )
    toolkit.current_version = version
    toolkit.save(update_fields=["current_version"])
    return version


@transaction.atomic
def toolkit_set_active(*, actor: User, toolkit: Toolkit, active: bool) -> Toolkit:
    require(actor, "knowledge.edit_toolkit", toolkit.community)
    Toolkit.objects.filter(pk=toolkit.pk).update(is_active=active)
    toolkit.is_active = active
    caching.changed(toolkit, fields=["is_active"])
    return toolkit
