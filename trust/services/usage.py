"""Recording a use of a contribution. A use is accepted only if, at that moment, the author's
consent for the purpose's current version is granted, the purpose is live and the contribution
is not restricted for it: checked here under a lock on the author's consent state row (the row
a withdrawal locks too), and on PostgreSQL again by the ``trust_usage_requires_consent``
trigger, so no other path can write an unconsented use. A refused attempt raises
:class:`UsageRefused` naming why, and is itself recorded (``UsageRefusal``) for the staff audit
in a transaction of its own, so the refusal survives."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cocreate.errors import Conflict, ValidationError
from cocreate.permissions import require
from events.services import event_record
from knowledge.models import Contribution

from ..models import (
    ConsentPurpose,
    ConsentState,
    ContributionRestriction,
    UsageRecord,
    UsageRefusal,
)

R = UsageRefusal.Reason
MAX_TEXT = 300


def refusal_text(reason: str) -> str:
    """What a refused use says, per reason (translated in the reader's language)."""
    texts: dict[str, str] = {
        R.NO_CONSENT: _("The author has not consented to this purpose."),
        R.WITHDRAWN: _("The author has withdrawn consent for this purpose."),
        R.OUTDATED: _(
            "The author consented to an earlier version of this purpose and has not yet "
            "answered the current one."
        ),
        R.RESTRICTED: _("The author has restricted this contribution from this purpose."),
        R.ARCHIVED: _("This purpose is archived: no new uses are recorded for it."),
        R.UNPUBLISHED: _("This purpose has no published version yet."),
    }
    return texts[reason]


class UsageRefused(Conflict):
    """A use that consent or a restriction does not allow (HTTP 409); ``code`` is the reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(refusal_text(reason), reason)
        self.reason = reason


class _Refused(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


def _clean(what: str, where: str) -> tuple[str, str]:
    what, where = (what or "").strip(), (where or "").strip()
    errors = {}
    if not what:
        errors["what"] = _("Say what was used and how.")
    elif len(what) > MAX_TEXT:
        errors["what"] = _("Keep it under %(n)d characters.") % {"n": MAX_TEXT}
    if not where:
        errors["where"] = _("Say where it was used.")
    elif len(where) > MAX_TEXT:
        errors["where"] = _("Keep it under %(n)d characters.") % {"n": MAX_TEXT}
    if errors:
        raise ValidationError(errors)
    return what, where


def refusal_reason(
    *, purpose: ConsentPurpose, state: ConsentState | None, restricted: bool
) -> str | None:
    """Why a use would be refused now (None: allowed). The order is the order a reader needs:
    a dead purpose first, then the author's consent, then the restriction."""
    if purpose.archived_at is not None:
        return R.ARCHIVED
    if purpose.current_version_id is None:
        return R.UNPUBLISHED
    if state is None:
        return R.NO_CONSENT
    if not state.granted:
        return R.WITHDRAWN
    if state.version_id != purpose.current_version_id:
        return R.OUTDATED
    if restricted:
        return R.RESTRICTED
    return None


def usage_record(
    *,
    actor: User,
    contribution: Contribution,
    purpose: ConsentPurpose,
    what: str,
    where: str,
) -> UsageRecord:
    """Record that the firm used ``contribution`` for ``purpose`` (what, where), by ``actor``
    (a manager of its community, ``PermissionDenied`` otherwise).

    Refused with :class:`UsageRefused` (nothing used written; the refusal audited) when the
    author's consent is missing, withdrawn or for an earlier version, the contribution is
    restricted, or the purpose is archived or unpublished. Call outside a transaction: the
    refusal's audit row is committed on its own (inside an outer transaction it would share that
    transaction's fate)."""
    require(actor, "trust.record_use", contribution.community)
    if contribution.status == Contribution.Status.DRAFT:
        raise ValidationError({"contribution": _("A draft cannot be used.")})
    if purpose.community_id != contribution.community_id:
        raise ValidationError({"purpose": _("This purpose is not one of this community's.")})
    what, where = _clean(what, where)
    try:
        with transaction.atomic():
            use = _record(
                actor=actor, contribution=contribution, purpose=purpose, what=what, where=where
            )
    except _Refused as refused:
        with transaction.atomic():
            UsageRefusal.objects.create(
                contribution=contribution,
                purpose=purpose,
                reason=refused.reason,
                what=what,
                where=where,
                attempted_by=actor,
            )
        raise UsageRefused(refused.reason) from None
    return use


def _record(
    *, actor: User, contribution: Contribution, purpose: ConsentPurpose, what: str, where: str
) -> UsageRecord:
    author_id = Contribution.objects.values_list("author_id", flat=True).get(pk=contribution.pk)
    # The lock a withdrawal takes too: whichever comes second sees the other's outcome.
    state = (
        ConsentState.objects.select_for_update().filter(user_id=author_id, purpose=purpose).first()
    )
    # Archived or republished meanwhile? (Its current words name the purpose in the event.)
    live = ConsentPurpose.objects.select_related("current_version").get(pk=purpose.pk)
    restricted = (
        ContributionRestriction.objects.select_for_update()
        .filter(contribution=contribution, purpose=live, active=True)
        .first()
    ) is not None
    reason = refusal_reason(purpose=live, state=state, restricted=restricted)
    if reason is not None:
        raise _Refused(reason)
    assert live.current_version_id is not None
    use = UsageRecord.objects.create(
        contribution=contribution,
        author_id=author_id,
        purpose=live,
        version_id=live.current_version_id,
        what=what,
        where=where,
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    event_record(
        kind="usage.recorded",
        payload={
            "usage_id": use.pk,
            "contribution_id": contribution.pk,
            "author_id": author_id,
            "purpose_id": live.pk,
            "version_id": live.current_version_id,
            # What the contributor's notification says, as recorded (the words of the use
            # and of the purpose's version in force; no personal data of the author).
            "purpose_title": live.title,
            "what": what,
            "where": where,
        },
        actor=actor,
        community_id=contribution.community_id,
    )
    return use
