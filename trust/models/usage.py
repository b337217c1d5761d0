"""Per-contribution restrictions, usage records and refused uses."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from knowledge.models import Contribution

from .consent import ConsentPurpose, PurposeVersion

USER = settings.AUTH_USER_MODEL


class ContributionRestriction(models.Model):
    """Whether an author excludes one contribution from one purpose, now ("not for
    marketing"). A restriction outranks consent. One row per contribution and purpose, its
    ``active`` flag the current state; every change is in :class:`RestrictionEvent`."""

    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, related_name="consent_restrictions"
    )
    purpose = models.ForeignKey(
        ConsentPurpose, on_delete=models.PROTECT, related_name="restrictions"
    )
    active = models.BooleanField(default=True)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contribution", "purpose"], name="trust_one_restriction"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contribution_id} not for {self.purpose_id} ({self.active})"


class RestrictionEvent(models.Model):
    """One setting or clearing of a restriction. Append-only (trigger on PostgreSQL)."""

    class Action(models.TextChoices):
        SET = "set", _("Restricted")
        CLEAR = "clear", _("Restriction lifted")

    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="+")
    purpose = models.ForeignKey(ConsentPurpose, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=5, choices=Action.choices)
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.contribution_id}/{self.purpose_id}"


class UsageRecord(models.Model):
    """One use of a contribution by the firm, for one purpose (its version then in force).
    Accepted only while the author's consent for that version is granted and the contribution
    is not restricted for the purpose: checked by the service under a lock on the author's
    consent state, and on PostgreSQL again by a BEFORE INSERT trigger."""

    contribution = models.ForeignKey(Contribution, on_delete=models.PROTECT, related_name="uses")
    # The contributor, as at the time of the use (what the trigger checks against).
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="uses_of_mine")
    purpose = models.ForeignKey(ConsentPurpose, on_delete=models.PROTECT, related_name="uses")
    version = models.ForeignKey(PurposeVersion, on_delete=models.PROTECT, related_name="uses")
    what = models.CharField(_("what"), max_length=300)
    where = models.CharField(_("where"), max_length=300)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="uses_recorded")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["author", "-recorded_at"], name="trust_uses_of_author"),
            models.Index(fields=["contribution", "-recorded_at"], name="trust_uses_of_item"),
        ]

    def __str__(self) -> str:
        return f"use of {self.contribution_id} for {self.purpose_id}"


class UsageRefusal(models.Model):
    """A use that was refused, and why: the staff audit of attempts."""

    class Reason(models.TextChoices):
        NO_CONSENT = "no_consent", _("The author never granted this purpose")
        WITHDRAWN = "withdrawn", _("The author withdrew consent")
        OUTDATED = "outdated", _("The author has not answered the current version")
        RESTRICTED = "restricted", _("The author restricted this contribution")
        ARCHIVED = "archived", _("The purpose is archived")
        UNPUBLISHED = "unpublished", _("The purpose has no published version")

    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, related_name="refused_uses"
    )
    purpose = models.ForeignKey(ConsentPurpose, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=12, choices=Reason.choices)
    what = models.CharField(max_length=300)
    where = models.CharField(max_length=300)
    attempted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"refused use of {self.contribution_id}: {self.reason}"
