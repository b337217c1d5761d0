"""What a retried request finds: the API response a key already answered, the object a form
token already created. Rows live ``IDEMPOTENCY_TTL`` seconds (``services.purge_expired``)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotencyKey(models.Model):
    """One ``Idempotency-Key`` of one owner (a user, or an anonymous client's address).

    The row is inserted in the transaction that runs the request and committed only together
    with what the request wrote and the response it answered (``state`` completed), or not at
    all: a crashed worker's transaction is rolled back with its writes, so a retry runs again.
    A concurrent request with the same key waits on the unique index until the first commits.
    """

    class State(models.TextChoices):
        PROCESSING = "processing", _("processing")
        COMPLETED = "completed", _("completed")

    # "u:<user id>" or "a:<digest of the client address>"; unique with ``key``.
    owner = models.CharField(max_length=80)
    key = models.CharField(max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    method = models.CharField(max_length=10)
    path = models.TextField()
    # sha256 of method, full path and body: the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PROCESSING)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    response_body = models.BinaryField(default=b"", blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="idempotency_key_once_per_owner")
        ]

    def __str__(self) -> str:
        return f"{self.owner} {self.key}"


class FormSubmission(models.Model):
    """A page form's one-time token, recorded with the address of what the form created; the
    same token posted again (a double click, a retried POST) leads there instead."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64)
    url = models.CharField(max_length=2000, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")
        constraints = [
            models.UniqueConstraint(fields=["user", "token"], name="form_token_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.token}"
