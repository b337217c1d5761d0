"""What members hear: notifications made from domain events (``events``), their preferences,
mutes, announcements, and the fan-out plan of community-wide events."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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


class OutboundEmail(models.Model):
    """One email to send to one member: an immediate notification email, a digest, or an impact
    reminder. The row is written in the transaction that decided the email is owed, so an email
    exists on disk before any worker is asked to send it (``services.outbound``).

    ``state`` moves due → sending (claimed by a sender, with ``lease_until``) → sent, right
    after the SMTP server accepted the message. A sender that dies leaves its rows "sending";
    once their lease has run out the relay hands them to another sender. A failed send goes back
    to due with ``lease_until`` as the earliest time to try again (backoff), and becomes failed
    after ``NOTIFICATIONS_EMAIL_MAX_ATTEMPTS``. Cancelled: nothing was left to send (the member
    turned these emails off, or left) by the time it came to it.

    Unique: one email per notification, and one digest or reminder per member and period
    (``period_key``, e.g. ``daily:2030-01-07``, ``weekly:2030-W02``).
    """

    class Kind(models.TextChoices):
        NOTIFICATION = "notification", _("Notification")
        DIGEST = "digest", _("Digest")
        IMPACT = "impact", _("Impact reminder")

    class State(models.TextChoices):
        DUE = "due", _("Due")
        SENDING = "sending", _("Sending")
        SENT = "sent", pgettext_lazy("email state", "Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outbound_emails"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # The notification an immediate email (or an impact reminder) is about.
    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    period_key = models.CharField(max_length=40, blank=True)
    # What the email needs beyond the notification: a digest's notification ids and frequency,
    # a reminder's period. Ids and strings only (JSON).
    params = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DUE)
    attempts = models.PositiveIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification"],
                condition=Q(notification__isnull=False),
                name="uniq_outbound_email_per_notification",
            ),
            models.UniqueConstraint(
                fields=["recipient", "kind", "period_key"],
                condition=~Q(period_key=""),
                name="uniq_outbound_email_per_period",
            ),
        ]
        indexes = [
            # What the senders and the relay look for: a handful of rows, however large the table.
            models.Index(
                fields=["id"],
                name="outbound_email_pending",
                condition=Q(state__in=["due", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} to {self.recipient_id}: {self.state}"
