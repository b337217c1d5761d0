"""Consent purposes and their versions. A version's words are drafted, then published once and
never changed: a material change (even a typo fix) is a new version, and members who had granted
the purpose are asked again for it alone (their consent covered the earlier words only)."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from cocreate.errors import Conflict, ValidationError
from cocreate.permissions import require
from communities.models import Community
from events.services import event_record

from ..models import ConsentPurpose, PurposeVersion, text_sha256

MAX_TITLE, MAX_SUMMARY, MAX_TEXT = 200, 1000, 50000


def require_manage(actor: User, purpose_or_community: ConsentPurpose | Community | None) -> None:
    """Managers of the purpose's community; platform admins for site-wide documents."""
    community = (
        purpose_or_community.community
        if isinstance(purpose_or_community, ConsentPurpose)
        else purpose_or_community
    )
    if community is None:
        require(actor, "trust.manage_site_documents")
    else:
        require(actor, "trust.manage_purposes", community)


def _clean_words(title: str, summary: str, text: str) -> tuple[str, str, str]:
    title, summary, text = (title or "").strip(), (summary or "").strip(), (text or "").strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Give the purpose a title.")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("Keep the title under %(n)d characters.") % {"n": MAX_TITLE}
    if not summary:
        errors["summary"] = _("Say in plain words what members agree to.")
    elif len(summary) > MAX_SUMMARY:
        errors["summary"] = _("Keep the summary under %(n)d characters.") % {"n": MAX_SUMMARY}
    if not text:
        errors["text"] = _("Give the full text members consent to.")
    elif len(text) > MAX_TEXT:
        errors["text"] = _("Keep the full text under %(n)d characters.") % {"n": MAX_TEXT}
    if errors:
        raise ValidationError(errors)
    return title, summary, text


@transaction.atomic
def purpose_create(
    *,
    actor: User,
    community: Community | None,
    key: str,
    title: str,
    summary: str,
    text: str,
    required: bool = False,
    kind: str = ConsentPurpose.Kind.PURPOSE,
) -> ConsentPurpose:
    """Create a purpose with a first draft version (nothing is asked of members until it is
    published). ``community`` None with ``kind`` terms or privacy: a site-wide document."""
    require_manage(actor, community)
    key = slugify(key or title)[:50]
    if not key:
        raise ValidationError({"key": _("Give the purpose a short key (letters and digits).")})
    if (community is None) != (kind != ConsentPurpose.Kind.PURPOSE):
        raise ValidationError({"kind": _("Community purposes and site documents do not mix.")})
    title, summary, text = _clean_words(title, summary, text)
    if ConsentPurpose.objects.filter(community=community, key=key).exists():
        raise ValidationError({"key": _("This community already has a purpose with that key.")})
    position = ConsentPurpose.objects.filter(community=community).count()
    purpose = ConsentPurpose.objects.create(
        community=community, kind=kind, key=key, required=required, position=position
    )
    PurposeVersion.objects.create(
        purpose=purpose,
        number=1,
        title=title,
        summary=summary,
        text=text,
        text_sha256=text_sha256(text),
    )
    return purpose


@transaction.atomic
def purpose_draft_save(
    *, actor: User, purpose: ConsentPurpose, title: str, summary: str, text: str
) -> PurposeVersion:
    """Write the purpose's next version as a draft (the existing draft is edited; else a new
    one numbered after the latest). Published versions are never edited."""
    require_manage(actor, purpose)
    title, summary, text = _clean_words(title, summary, text)
    purpose = ConsentPurpose.objects.select_for_update().get(pk=purpose.pk)
    if purpose.archived_at is not None:
        raise Conflict(_("This purpose is archived."), "archived")
    draft = purpose.versions.filter(published_at__isnull=True).first()
    if draft is None:
        number = (purpose.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        return PurposeVersion.objects.create(
            purpose=purpose,
            number=number,
            title=title,
            summary=summary,
            text=text,
            text_sha256=text_sha256(text),
        )
    draft.title, draft.summary, draft.text = title, summary, text
    draft.text_sha256 = text_sha256(text)
    draft.save(update_fields=["title", "summary", "text", "text_sha256"])
    return draft


@transaction.atomic
def purpose_publish(*, actor: User, purpose: ConsentPurpose) -> PurposeVersion:
    """Publish the purpose's draft: from now on it is the version members consent to, and
    uses need consent to it. Members who had granted an earlier version are asked again."""
    require_manage(actor, purpose)
    purpose = ConsentPurpose.objects.select_for_update().get(pk=purpose.pk)
    if purpose.archived_at is not None:
        raise Conflict(_("This purpose is archived."), "archived")
    draft = purpose.versions.filter(published_at__isnull=True).first()
    if draft is None:
        raise Conflict(_("There is no draft to publish: write the new version first."), "no_draft")
    if purpose.current_version is not None and draft.text_sha256 == (
        purpose.current_version.text_sha256
    ):
        raise ValidationError({"text": _("The new version's text is the same as the current one.")})
    draft.published_at = timezone.now()
    draft.published_by = actor
    draft.save(update_fields=["published_at", "published_by"])
    previous = purpose.current_version_id
    purpose.current_version = draft
    purpose.save(update_fields=["current_version"])
    event_record(
        kind="consent.purpose_published",
        payload={
            "purpose_id": purpose.pk,
            "version_id": draft.pk,
            "number": draft.number,
            "previous_version_id": previous,
        },
        actor=actor,
        community_id=purpose.community_id,
    )
    return draft


@transaction.atomic
def purpose_update(
    *,
    actor: User,
    purpose: ConsentPurpose,
    required: bool | None = None,
    position: int | None = None,
) -> ConsentPurpose:
    """Change whether the purpose is required to join, or where it is listed (not its words:
    those are versions)."""
    require_manage(actor, purpose)
    fields = []
    if required is not None:
        purpose.required = required
        fields.append("required")
    if position is not None:
        if position < 0:
            raise ValidationError({"position": _("Position cannot be negative.")})
        purpose.position = position
        fields.append("position")
    if fields:
        purpose.save(update_fields=fields)
    return purpose


@transaction.atomic
def purpose_archive(*, actor: User, purpose: ConsentPurpose) -> ConsentPurpose:
    """Retire a purpose: no more grants or uses for it; its history stays."""
    require_manage(actor, purpose)
    purpose = ConsentPurpose.objects.select_for_update().get(pk=purpose.pk)
    if purpose.archived_at is None:
        purpose.archived_at = timezone.now()
        purpose.save(update_fields=["archived_at"])
    return purpose
