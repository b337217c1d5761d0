"""Publishing earning rules: a new version each time, applying from its publication on."""

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cocreate.errors import ValidationError
from cocreate.permissions import require
from communities.models import Community

from ..models import CAUSES, EarningRules

MAX_POINTS = 100_000


def rules_publish(*, actor: Any, community: Community, **values: int) -> EarningRules:
    """Publish a new version of ``community``'s earning rules (managers); the previous versions
    stay as they were, and past bookings keep the version that booked them.

    ``values`` are the points per cause (``CAUSES``), ``supports_per_day`` and ``daily_cap``;
    any left out keep the current version's value. ValidationError names a bad field."""
    require(actor, "incentives.manage_rules", community)
    fields = (*CAUSES, "supports_per_day", "daily_cap")
    unknown = set(values) - set(fields)
    if unknown:
        raise ValidationError({name: [_("Unknown rule.")] for name in sorted(unknown)})
    errors = {
        name: [_("A whole number from 0 to %(max)s.") % {"max": MAX_POINTS}]
        for name, value in values.items()
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_POINTS
    }
    if errors:
        raise ValidationError(errors)
    current = current_rules(community.pk)
    merged = {name: getattr(current, name) if current else 0 for name in CAUSES}
    if current:
        merged.update(supports_per_day=current.supports_per_day, daily_cap=current.daily_cap)
    merged.update(values)
    for _attempt in range(3):  # two managers publishing at once: the second takes the next number
        latest = EarningRules.objects.filter(community=community).aggregate(v=Max("version"))["v"]
        try:
            with transaction.atomic():
                return EarningRules.objects.create(
                    community=community,
                    version=(latest or 0) + 1,
                    published_by=actor,
                    **merged,
                )
        except IntegrityError:
            continue
    raise ValidationError({"version": [_("Rules were published meanwhile; try again.")]})


def current_rules(community_id: int, *, at: Any = None) -> EarningRules | None:
    """The version in force in the community at ``at`` (now by default), or None (no points)."""
    return (
        EarningRules.objects.filter(
            community_id=community_id, published_at__lte=at or timezone.now()
        )
        .order_by("-version")
        .first()
    )
