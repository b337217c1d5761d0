"""Data exports (GDPR Art. 15/20) and account erasures (Art. 17).

A ``DataExport`` is named by a random, unguessable token (its primary key): it is the only id
that ever appears in a URL, so a download link cannot be guessed or counted up to. The database
holds that a member has at most one export queued or building, that progress never exceeds its
total, and that a ready export has its times and file.

An ``Erasure`` is the record that an account was pseudonymised: one per user (the database
refuses a second), with the pseudonym it received.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

# How long a built archive can be downloaded before the purge task deletes its file.
EXPORT_RETENTION = timedelta(days=7)


def export_token() -> str:
    """43 URL-safe characters from 32 random bytes."""
    return secrets.token_urlsafe(32)


class DataExport(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        BUILDING = "building", _("Building")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    RUNNING = (Status.QUEUED, Status.BUILDING)

    id = models.CharField(
        _("id"),
        primary_key=True,
        max_length=64,
        default=export_token,
        editable=False,
        help_text=_("A random token naming the export in its download address."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="data_exports",
        verbose_name=_("member"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    done = models.PositiveIntegerField(
        _("records written"), default=0, help_text=_("Records written into the archive so far.")
    )
    total = models.PositiveIntegerField(
        _("records to write"), default=0, help_text=_("Records the archive will hold.")
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ready_at = models.DateTimeField(_("ready at"), null=True, blank=True)
    expires_at = models.DateTimeField(
        _("expires at"),
        null=True,
        blank=True,
        help_text=_("After this moment the archive is deleted and can no longer be downloaded."),
    )
    # Relative to settings.EXPORT_ROOT; never served as a static or media file.
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        ordering = ("-requested_at",)
        indexes = [models.Index(fields=["user", "-requested_at"], name="trust_export_user_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status__in=["queued", "building"]),
                name="trust_export_one_running_per_user",
            ),
            models.CheckConstraint(
                condition=Q(done__lte=F("total")), name="trust_export_done_within_total"
            ),
            models.CheckConstraint(
                condition=~Q(status="ready")
                | (Q(ready_at__isnull=False, expires_at__isnull=False) & ~Q(file_name="")),
                name="trust_export_ready_has_file",
            ),
        ]

    def __str__(self) -> str:
        return f"export {self.id[:8]}… ({self.status})"

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def percent(self) -> int:
        if self.status == self.Status.READY:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0


class Erasure(models.Model):
    """An account erased (pseudonymised). The user row stays, so that contributions, comments,
    supports, shares and ledger entries keep their author and every count and sum holds."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="erasure",
        verbose_name=_("member"),
    )
    pseudonym = models.CharField(_("pseudonym"), max_length=80)
    erased_at = models.DateTimeField(_("erased at"), auto_now_add=True)

    class Meta:
        verbose_name = _("account erasure")
        verbose_name_plural = _("account erasures")

    def __str__(self) -> str:
        return self.pseudonym
