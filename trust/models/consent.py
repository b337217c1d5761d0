"""Consent per purpose: purposes, their immutable published versions, the append-only consent
events and the current state derived from them.

Site-wide documents (terms of service, privacy notice) are purposes too, with no community and
a ``kind`` other than ``purpose``: they are versioned, hashed, granted and withdrawn exactly as a
community's purposes are, so one set of tables, triggers and services holds every consent.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.models import Community

USER = settings.AUTH_USER_MODEL


def text_sha256(text: str) -> str:
    """The SHA-256 (hex) of a version's full text as stored (UTF-8)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ConsentPurpose(models.Model):
    """One thing a member may say yes or no to: a community's purpose ("use my contributions in
    product development"), or a site-wide document (``community`` NULL; terms, privacy)."""

    class Kind(models.TextChoices):
        PURPOSE = "purpose", _("Community purpose")
        TERMS = "terms", _("Terms of service")
        PRIVACY = "privacy", _("Privacy notice")

    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="consent_purposes",
        verbose_name=_("community"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PURPOSE)
    key = models.SlugField(_("key"), max_length=50)
    required = models.BooleanField(_("required to join"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # The latest published version (NULL until the first one is published). Kept in the
    # transaction that publishes; members' consent is compared against it.
    current_version = models.ForeignKey(
        "PurposeVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "key"],
                condition=Q(community__isnull=False),
                name="trust_purpose_key_per_community",
            ),
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(community__isnull=True),
                name="trust_site_document_key",
            ),
            models.CheckConstraint(
                condition=Q(community__isnull=False, kind="purpose")
                | Q(community__isnull=True, kind__in=["terms", "privacy"]),
                name="trust_purpose_kind_matches_scope",
            ),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def title(self) -> str:
        return self.current_version.title if self.current_version else self.key


class PurposeVersion(models.Model):
    """The words of one version of a purpose. A draft (``published_at`` NULL) may be edited;
    once published it is immutable (on PostgreSQL a trigger refuses changing its words, hash or
    number, and deleting it) — a material change is a new version."""

    purpose = models.ForeignKey(ConsentPurpose, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("in plain words"), max_length=1000)
    text = models.TextField(_("full text"), max_length=50000)
    text_sha256 = models.CharField(_("SHA-256 of the text"), max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["purpose", "number"]
        constraints = [
            models.UniqueConstraint(fields=["purpose", "number"], name="trust_version_number"),
            models.UniqueConstraint(
                fields=["purpose"],
                condition=Q(published_at__isnull=True),
                name="trust_one_draft_per_purpose",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose.key} v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Channel(models.TextChoices):
    SIGNUP = "signup", _("Sign-up")
    JOIN = "join", _("Joining")
    SETTINGS = "settings", _("Privacy & consent page")
    API = "api", _("API")


class ConsentEvent(models.Model):
    """One grant or withdrawal by a member, of one published version, with where it was given
    and the hash of the words shown. Append-only: the truth every state is derived from (on
    PostgreSQL a trigger refuses UPDATE and DELETE; no code path tries)."""

    class Action(models.TextChoices):
        GRANT = "grant", _("Granted")
        WITHDRAW = "withdraw", _("Withdrawn")

    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="consent_events")
    purpose = models.ForeignKey(ConsentPurpose, on_delete=models.PROTECT, related_name="events")
    version = models.ForeignKey(PurposeVersion, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    text_sha256 = models.CharField(_("SHA-256 of the text shown"), max_length=64)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["user", "purpose", "at"], name="trust_event_history")]

    def __str__(self) -> str:
        return f"{self.action} {self.version} by {self.user_id}"


class ConsentState(models.Model):
    """A member's current answer for one purpose: the replay of their events, kept in the
    transaction that records each event. The row is what services lock (``select_for_update``)
    so a withdrawal and a use of the same consent are serialised."""

    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="consent_states")
    purpose = models.ForeignKey(ConsentPurpose, on_delete=models.PROTECT, related_name="states")
    version = models.ForeignKey(PurposeVersion, on_delete=models.PROTECT, related_name="+")
    granted = models.BooleanField()
    since = models.DateTimeField()
    last_event = models.ForeignKey(ConsentEvent, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "purpose"], name="trust_one_state"),
        ]
        indexes = [
            models.Index(
                fields=["purpose", "user"], condition=Q(granted=True), name="trust_granted"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.purpose_id}={'yes' if self.granted else 'no'}"
