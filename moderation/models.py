"""Community safety: flags, moderation actions (the append-only moderation log), appeals and
each community's trust and rate-limit settings."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.models import Community
from knowledge.models import Comment, Contribution

USER = settings.AUTH_USER_MODEL


class ModerationSettings(models.Model):
    """How a community treats new members and member flags. Missing row = the defaults."""

    community = models.OneToOneField(
        Community, on_delete=models.CASCADE, related_name="moderation_settings"
    )
    flag_threshold = models.PositiveSmallIntegerField(
        _("flags that hide content pending review"), default=3
    )
    established_after_posts = models.PositiveSmallIntegerField(
        _("approved posts before a member is established"), default=3
    )
    established_after_days = models.PositiveSmallIntegerField(
        _("days before a member is established"), default=7
    )
    premoderate_new_members = models.BooleanField(
        _("new members' posts wait for approval"), default=True
    )
    new_posts_per_minute = models.PositiveSmallIntegerField(default=2)
    new_replies_per_day = models.PositiveSmallIntegerField(default=30)
    new_links_per_post = models.PositiveSmallIntegerField(default=2)
    posts_per_minute = models.PositiveSmallIntegerField(default=10)

    class Meta:
        # "settings" is already plural: without this the admin says "Moderation settingss".
        verbose_name = _("moderation settings")
        verbose_name_plural = _("moderation settings")

    def __str__(self) -> str:
        return f"moderation settings of {self.community}"


class FlagReason(models.TextChoices):
    SPAM = "spam", _("Spam")
    OFF_TOPIC = "off_topic", _("Off-topic")
    ABUSIVE = "abusive", _("Abusive")
    PERSONAL_DATA = "personal_data", _("Personal data")
    OTHER = "other", _("Other")


class Flag(models.Model):
    """A member's report of a contribution or comment. One per member per item."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="flags")
    reporter = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="flags")
    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, null=True, blank=True, related_name="flags"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="flags"
    )
    reason = models.CharField(_("reason"), max_length=16, choices=FlagReason.choices)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    # Whether the reporter was an established member when flagging (only those hide content).
    reporter_established = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "contribution"],
                condition=Q(contribution__isnull=False),
                name="uniq_flag_contribution",
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"],
                condition=Q(comment__isnull=False),
                name="uniq_flag_comment",
            ),
            models.CheckConstraint(
                condition=Q(contribution__isnull=False, comment__isnull=True)
                | Q(contribution__isnull=True, comment__isnull=False),
                name="flag_has_one_target",
            ),
        ]
        indexes = [models.Index(fields=["community", "status", "created_at"], name="flag_queue")]

    def __str__(self) -> str:
        return f"flag #{self.pk} ({self.reason})"


class ModerationAction(models.Model):
    """One moderation action with its reason. Append-only: this table is the moderation log
    (no update or delete path in code; on PostgreSQL a trigger refuses both)."""

    class Kind(models.TextChoices):
        HIDE = "hide", _("Hide")
        RESTORE = "restore", _("Restore")
        APPROVE = "approve", _("Approve (pre-moderation)")
        LOCK = "lock", _("Lock thread")
        UNLOCK = "unlock", _("Unlock thread")
        WARN = "warn", _("Warn")
        SUSPEND = "suspend", _("Suspend")
        UNSUSPEND = "unsuspend", _("Lift suspension")
        BAN = "ban", _("Ban")
        UNBAN = "unban", _("Lift ban")
        DISMISS_FLAGS = "dismiss_flags", _("Dismiss flags")

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="moderation_actions"
    )
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    reason = models.TextField(_("reason"), max_length=2000)
    contribution = models.ForeignKey(
        Contribution, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subject = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        related_name="moderation_received",
        help_text=_("The member the action concerns (the author, or the warned/suspended)."),
    )
    until = models.DateTimeField(_("until"), null=True, blank=True)
    reverses = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "-created_at"], name="modlog_by_community")]

    def __str__(self) -> str:
        return f"{self.kind} by {self.actor_id} at {self.created_at:%Y-%m-%d %H:%M}"


_K = ModerationAction.Kind
# Actions on a post (the others act on a membership).
CONTENT_KINDS = {_K.HIDE, _K.RESTORE, _K.APPROVE, _K.LOCK, _K.UNLOCK, _K.DISMISS_FLAGS}
# Actions the member concerned may appeal (once).
APPEALABLE = (_K.HIDE, _K.LOCK, _K.SUSPEND, _K.BAN, _K.WARN)


class Appeal(models.Model):
    """The subject's one appeal against an action, decided by a different moderator."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for a decision")
        UPHELD = "upheld", _("Action upheld")
        OVERTURNED = "overturned", _("Action overturned")

    action = models.OneToOneField(ModerationAction, on_delete=models.PROTECT, related_name="appeal")
    appellant = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="appeals")
    text = models.TextField(_("why the action should be reconsidered"), max_length=5000)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(max_length=5000, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"appeal of action #{self.action_id} ({self.status})"
