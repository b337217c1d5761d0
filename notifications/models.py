"""The transactional outbox: every domain event is a row written with the change that caused it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.fields.json import KeyTransform
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


class OutboxEvent(models.Model):
    """A domain event. Written in the same transaction as the change it records.

    ``processed_at`` is set once, by the consumer, in the transaction that acted on the event;
    a second delivery of the same event sees it and does nothing.
    """

    kind = models.CharField(_("kind"), max_length=80)
    payload = models.JSONField(_("payload"), default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    community_id = models.BigIntegerField(_("community"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("delivery attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # When the event was last handed to the broker (stamped in the task message) and when the
    # task that processed it started: ``started_at - enqueued_at`` is the time it waited in the
    # queue, the figure to watch when sizing workers. Written with ``processed_at``.
    enqueued_at = models.DateTimeField(_("last handed to the broker"), null=True, blank=True)
    started_at = models.DateTimeField(_("processing started"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        indexes = [
            models.Index(
                fields=["created_at"],
                name="outbox_pending",
                condition=Q(processed_at__isnull=True),
            ),
            # Sibling events of one comment (mention, reply, official response, comment on a
            # contribution) are found by the comment id, so each person hears about a comment once.
            models.Index(
                KeyTransform("comment_id", "payload"),
                name="outbox_by_comment",
                condition=Q(kind__in=COMMENT_EVENT_KINDS),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class FanoutChunk(models.Model):
    """One slice of a community-wide event's audience: the active members whose user id is
    above ``after_user_id`` and at most ``upto_user_id`` (no upper bound when null).

    The chunks are written in the transaction that processes the event, so the whole plan exists
    before any task is queued. A chunk is done once: its row is locked, and ``done_at`` is set in
    the transaction that inserts its notifications. A chunk a dead worker left undone is queued
    again by the outbox relay; the unique (event, recipient) constraint on notifications makes a
    second run of a chunk add nothing.
    """

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="fanout_chunks")
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
        OutboxEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
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
