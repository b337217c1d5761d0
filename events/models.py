"""The transactional outbox: every domain event is a row written with the change that caused it,
and one delivery row per consumer that wants the event's kind (``events.registry``)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.fields.json import KeyTransform
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxEvent(models.Model):
    """A domain event: what happened, written in the same transaction as the change it records.

    The event itself is never changed by delivery, except that a consumer may scrub a secret from
    its payload once used (the invitation email). Each consumer's progress is its ``Delivery``.
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

    class Meta:
        ordering = ["id"]
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        indexes = [
            # The events one comment caused (mention, reply, official response, ...) are found by
            # the comment id; queries must name the condition (payload has comment_id) to use it.
            models.Index(
                KeyTransform("comment_id", "payload"),
                name="outbox_by_comment",
                condition=Q(payload__has_key="comment_id"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class Delivery(models.Model):
    """One consumer's progress on one event: unique per (event, consumer), written with the
    event. ``processed_at`` is set in the transaction in which the consumer acted on the event,
    so a second delivery of the same event to the same consumer does nothing; other consumers'
    rows are never read or written by it.

    ``enqueued_at`` (last hand-off to the broker) and ``started_at`` (when the consumer began on
    it): ``started_at - enqueued_at`` is the time it waited in the consumer's queue.
    """

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    consumer = models.CharField(_("consumer"), max_length=40)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    enqueued_at = models.DateTimeField(_("last handed to the broker"), null=True, blank=True)
    started_at = models.DateTimeField(_("processing started"), null=True, blank=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("delivery attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["event", "consumer"], name="uniq_delivery_per_consumer")
        ]
        indexes = [
            models.Index(
                fields=["consumer", "created_at"],
                name="delivery_pending",
                condition=Q(processed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consumer}: event {self.event_id}"
