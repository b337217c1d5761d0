"""What members hear: notifications made from domain events (``events``), their preferences,
mutes, announcements, and the fan-out plan of community-wide events."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Events one comment can cause, most specific first: a person named by several of them hears
# about the comment once, through the first that reaches them (notifications.consumers).
COMMENT_EVENT_KINDS = (
    "comment.mention",
    "comment.official_response",
    "comment.reply",
    "contribution.commented",
)


class FanoutChunk(models.Model):
    """One slice of a community-wide event's audience: the active members whose user id is
    above ``after_user_id`` and at most ``upto_user_id`` (no upper bound when null).

    The chunks are written in the transaction that processes the event, so the whole plan exists
    before any task is queued. A chunk is done once: its row is locked, and ``done_at`` is set in
    the transaction that inserts its notifications. A chunk a dead worker left undone is queued
    again by the outbox relay; the unique (event, recipient) constraint on notifications makes a
    second run of a chunk add nothing.
    """

    event = models.ForeignKey(
        "events.OutboxEvent", on_delete=models.CASCADE, related_name="fanout_chunks"
    )
    after_user_id = models.BigIntegerField()
    upto_user_id = models.BigIntegerField(null=True, blank=True)
    queued_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["event", "after_user_id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "after_user_id"], name="uniq_fanout_chunk")
        ]
        indexes = [
            models.Index(
                fields=["queued_at"], name="fanout_pending", condition=Q(done_at__isnull=True)
            )
        ]

    def __str__(self) -> str:
        return f"event {self.event_id}: ({self.after_user_id}, {self.upto_user_id}]"


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the app only")
    EMAIL = "email", _("Email right away")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")
    OFF = "off", _("Off")


class Notification(models.Model):
    """One thing one member should hear about, made from one domain event.

    Unique per (event, recipient): delivering an event twice notifies once.
    ``email_state`` says whether an email is owed (now, or in a digest) or already sent.
    """

    class EmailState(models.TextChoices):
        NONE = "none", _("No email")
        NOW = "now", _("Email due now")
        DAILY = "daily", _("In the next daily digest")
        WEEKLY = "weekly", _("In the next weekly digest")
        SENT = "sent", _("Emailed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.ForeignKey(
        "events.OutboxEvent", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=80)
    community_id = models.BigIntegerField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email_state = models.CharField(
        max_length=8, choices=EmailState.choices, default=EmailState.NONE
    )
    emailed_at = models.DateTimeField(null=True, blank=True)

    # Not a column: the link with the site's address, set for an email's items.
    absolute_url: str

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "recipient"],
                condition=Q(event__isnull=False),
                name="uniq_notification_per_event",
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notif_inbox"),
            models.Index(
                fields=["recipient"], name="notif_unread", condition=Q(read_at__isnull=True)
            ),
            models.Index(
                fields=["email_state", "recipient"],
                name="notif_email_due",
                condition=~Q(email_state__in=["none", "sent"]),
            ),
        ]

    def __str__(self) -> str:
        return self.text


class Preference(models.Model):
    """How a member wants to hear about one kind of event (absent: the kind's default)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_prefs"
    )
    topic = models.CharField(max_length=40)
    channel = models.CharField(max_length=8, choices=Channel.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "topic"], name="uniq_notification_pref")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.topic} → {self.channel}"


class CommunityMute(models.Model):
    """A member muting a community: nothing from it reaches them (except about their rights)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_mutes"
    )
    community_id = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "community_id"], name="uniq_community_mute")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} mutes {self.community_id}"


class Announcement(models.Model):
    """A manager's message to every member of a community."""

    community_id = models.BigIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=160)
    body = models.TextField(_("message"), max_length=10000)
    body_html = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title
