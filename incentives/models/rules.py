"""Earning rules: how many points each cause earns in a community, versioned.

A community's rules are a sequence of immutable versions; the newest applies from the moment it
is published, and every booking records the version that booked it (``Transaction.rules``), so
changing the rules never rewrites history. No row means the community gives no points yet."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.models import Community

USER = settings.AUTH_USER_MODEL

# What can earn points, in the order the rules page lists them.
CAUSES = ("submitted", "accepted", "shipped", "official_response", "helpful", "support")


class EarningRules(models.Model):
    """One version of a community's earning rules (never edited: a change is a new version)."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="earning_rules")
    version = models.PositiveIntegerField(_("version"))
    submitted = models.PositiveIntegerField(_("points for a contribution submitted"), default=0)
    accepted = models.PositiveIntegerField(_("points for a contribution accepted"), default=0)
    shipped = models.PositiveIntegerField(_("points for a contribution shipped"), default=0)
    official_response = models.PositiveIntegerField(
        _("points for an official response to my contribution"), default=0
    )
    helpful = models.PositiveIntegerField(_("points for my comment marked helpful"), default=0)
    support = models.PositiveIntegerField(_("points per support received"), default=0)
    supports_per_day = models.PositiveIntegerField(
        _("supports that earn points per member per day"), default=10
    )
    daily_cap = models.PositiveIntegerField(_("most points a member earns per day"), default=200)
    published_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("earning rules")
        verbose_name_plural = _("earning rules")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "version"], name="incentives_rules_version_unique"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="incentives_rules_version"),
        ]
        ordering = ["community", "-version"]

    def __str__(self) -> str:
        return f"earning rules v{self.version} of community {self.community_id}"

    def points_for(self, cause: str) -> int:
        return int(getattr(self, cause))
