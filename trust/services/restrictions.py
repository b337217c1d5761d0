"""Per-contribution restrictions: an author excludes one contribution from one purpose ("not
for marketing") whatever their general consent. Only the author may set or lift one; each
change is an append-only ``RestrictionEvent`` and the ``active`` flag of the one row per
contribution and purpose."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cocreate.errors import PermissionDenied, ValidationError
from events.services import event_record
from knowledge.models import Contribution

from ..models import ConsentPurpose, ConsentState, ContributionRestriction, RestrictionEvent


def _check(user: User, contribution: Contribution, purpose: ConsentPurpose) -> None:
    if contribution.author_id != user.pk:
        raise PermissionDenied(_("Only the author of a contribution can restrict how it is used."))
    if purpose.community_id != contribution.community_id:
        raise ValidationError({"purpose": _("This purpose is not one of this community's.")})


def _change(
    *, user: User, contribution: Contribution, purpose: ConsentPurpose, active: bool
) -> ContributionRestriction | None:
    _check(user, contribution, purpose)
    # The author's consent state row is the lock a use takes: holding it, no use of this
    # contribution for this purpose can be checked half before and half after the change.
    ConsentState.objects.select_for_update().filter(user=user, purpose=purpose).first()
    row = (
        ContributionRestriction.objects.select_for_update()
        .filter(contribution=contribution, purpose=purpose)
        .first()
    )
    if (row is None and not active) or (row is not None and row.active == active):
        return row  # already so: nothing to record
    now = timezone.now()
    if row is None:
        row = ContributionRestriction.objects.create(
            contribution=contribution, purpose=purpose, active=True, changed_at=now
        )
    else:
        row.active, row.changed_at = active, now
        row.save(update_fields=["active", "changed_at"])
    RestrictionEvent.objects.create(
        contribution=contribution,
        purpose=purpose,
        action=RestrictionEvent.Action.SET if active else RestrictionEvent.Action.CLEAR,
        by=user,
        at=now,
    )
    event_record(
        kind="consent.restriction_set" if active else "consent.restriction_cleared",
        payload={"contribution_id": contribution.pk, "purpose_id": purpose.pk},
        actor=user,
        community_id=contribution.community_id,
    )
    return row


@transaction.atomic
def restriction_set(
    *, user: User, contribution: Contribution, purpose: ConsentPurpose
) -> ContributionRestriction:
    """Exclude ``contribution`` from ``purpose`` (the author only; ``PermissionDenied``
    otherwise, nothing written). A restriction outranks consent: no use for the purpose is
    accepted while it stands. Setting it twice records it once."""
    row = _change(user=user, contribution=contribution, purpose=purpose, active=True)
    assert row is not None
    return row


@transaction.atomic
def restriction_clear(
    *, user: User, contribution: Contribution, purpose: ConsentPurpose
) -> ContributionRestriction | None:
    """Lift the author's restriction (the author only); the author's consent decides again."""
    return _change(user=user, contribution=contribution, purpose=purpose, active=False)
