"""The points ledger, double entry.

Every point is booked as a balanced :class:`Transaction` of :class:`Entry` rows (debits equal
credits) between :class:`Account` rows: a member's wallet in a community, and the community's
system accounts (issuance, where earned points come from; rewards clearing, where spent points
go; expiry). A :class:`Hold` reserves points of a wallet for a redemption until it is posted
(booked) or voided, exactly once.

What the database itself holds (migration 0002), whatever code path writes:
- entries and transactions are insert-only; corrections are reversing transactions, and a
  transaction can be reversed once (``Transaction.reverses`` is unique);
- amounts are positive integers (CHECK);
- on PostgreSQL every transaction's entries balance, checked at commit (a deferred constraint
  trigger), so an unbalanced transaction fails whatever wrote it;
- an account's ``posted`` balance (credits minus debits) and ``held`` points are written by
  triggers as entries and holds are inserted and resolved, never by code (PostgreSQL refuses a
  direct change); a wallet's available points (posted minus held) never go below zero (CHECK);
- a hold resolves once: a resolved hold cannot change again.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.models import Community

USER = settings.AUTH_USER_MODEL


class Account(models.Model):
    """A ledger account. ``posted`` is credits minus debits; ``held`` the points reserved by
    pending holds. Both are kept by the database (triggers), read in O(1)."""

    class Kind(models.TextChoices):
        WALLET = "wallet", _("Member wallet")
        ISSUANCE = "issuance", _("Points issued")
        CLEARING = "clearing", _("Rewards clearing")
        EXPIRY = "expiry", _("Expired points")

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="ledger_accounts"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    owner = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_accounts"
    )
    posted = models.BigIntegerField(_("posted balance"), default=0, editable=False)
    held = models.BigIntegerField(_("held"), default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "owner"],
                condition=Q(kind="wallet"),
                name="incentives_one_wallet_per_member",
            ),
            models.UniqueConstraint(
                fields=["community", "kind"],
                condition=~Q(kind="wallet"),
                name="incentives_one_system_account_per_kind",
            ),
            models.CheckConstraint(
                condition=(Q(kind="wallet") & Q(owner__isnull=False))
                | (~Q(kind="wallet") & Q(owner__isnull=True)),
                name="incentives_wallets_have_owners",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["wallet", "issuance", "clearing", "expiry"]),
                name="incentives_account_kind_known",
            ),
            models.CheckConstraint(condition=Q(held__gte=0), name="incentives_held_not_negative"),
            models.CheckConstraint(
                condition=~Q(kind="wallet") | Q(posted__gte=F("held")),
                name="incentives_wallet_available_not_negative",
            ),
        ]

    def __str__(self) -> str:
        who = f" of user {self.owner_id}" if self.owner_id else ""
        return f"{self.get_kind_display()}{who} in community {self.community_id}"

    @property
    def available(self) -> int:
        return self.posted - self.held


class Transaction(models.Model):
    """One booking: balanced entries, booked once per ``key``.

    ``digest`` is the SHA-256 of the booking's content (community, memo, cause, entries), so the
    same key re-submitted with the same content answers the original, and with other content is
    refused, naming what differs. ``cause`` says why it was booked (e.g. the domain event and
    the rule version), ``via`` by which path (bookkeeping, redemption, correction, reversal)."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="ledger_transactions"
    )
    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    digest = models.CharField(max_length=64)
    memo = models.CharField(_("memo"), max_length=300)
    cause = models.CharField(_("cause"), max_length=200, blank=True)
    via = models.CharField(_("booked via"), max_length=32)
    booked_by = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_bookings",
        help_text=_("The person who booked it; empty when a worker did."),
    )
    rules = models.ForeignKey(
        "incentives.EarningRules",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
        help_text=_("The version of the earning rules that booked it (none for other bookings)."),
    )
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        help_text=_("The transaction this one reverses (each can be reversed once)."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")
        indexes = [models.Index(fields=["community", "-id"], name="incentives_txn_community")]

    def __str__(self) -> str:
        return f"transaction {self.pk}: {self.memo}"


class Entry(models.Model):
    """One side of a transaction: ``amount`` points debited from or credited to ``account``."""

    class Side(models.TextChoices):
        DEBIT = "D", _("Debit")
        CREDIT = "C", _("Credit")

    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    side = models.CharField(max_length=1, choices=Side.choices)
    amount = models.BigIntegerField(_("points"))

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="incentives_entry_positive"),
            models.CheckConstraint(condition=Q(side__in=["D", "C"]), name="incentives_entry_side"),
        ]
        # A wallet's history, newest first, without reading the whole account.
        indexes = [models.Index(fields=["account", "-id"], name="incentives_entry_account")]

    def __str__(self) -> str:
        return f"{self.get_side_display()} {self.amount} on account {self.account_id}"

    @property
    def signed(self) -> int:
        """The entry's effect on its account's posted balance."""
        return self.amount if self.side == self.Side.CREDIT else -self.amount


class Hold(models.Model):
    """Points of a wallet reserved (pending) until posted, voided or expired, exactly once.

    Posting books ``amount`` from ``account`` to ``counter_account`` (``resolution`` is that
    transaction); voiding and expiring release the points and book nothing."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        POSTED = "posted", _("Posted")
        VOIDED = "voided", _("Voided")
        EXPIRED = "expired", _("Expired")

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="ledger_holds")
    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    digest = models.CharField(max_length=64)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="holds")
    counter_account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="incoming_holds"
    )
    amount = models.BigIntegerField(_("points"))
    memo = models.CharField(_("memo"), max_length=300)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    expires_at = models.DateTimeField(_("expires at"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.OneToOneField(
        Transaction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resolved_hold",
    )

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="incentives_hold_positive"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "posted", "voided", "expired"]),
                name="incentives_hold_status_known",
            ),
            models.CheckConstraint(
                condition=(Q(status="pending") & Q(resolved_at__isnull=True))
                | (~Q(status="pending") & Q(resolved_at__isnull=False)),
                name="incentives_hold_resolved_when_not_pending",
            ),
            models.CheckConstraint(
                condition=(Q(status="posted") & Q(resolution__isnull=False))
                | (~Q(status="posted") & Q(resolution__isnull=True)),
                name="incentives_hold_posting_has_transaction",
            ),
            models.CheckConstraint(
                condition=~Q(account=F("counter_account")), name="incentives_hold_two_accounts"
            ),
        ]
        indexes = [
            models.Index(
                fields=["expires_at"],
                condition=Q(status="pending"),
                name="incentives_hold_pending_expiry",
            )
        ]

    def __str__(self) -> str:
        return f"hold {self.pk} of {self.amount} ({self.status})"
