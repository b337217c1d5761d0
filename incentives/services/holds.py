"""Holds: points of a wallet reserved for a redemption, then posted, voided or expired — once.

A two-phase transfer (TigerBeetle's pending / post_pending / void_pending): placing a hold
reserves the points (the wallet's ``held`` rises, so they cannot be spent twice); posting books
them to the counter account (a balanced transaction, the hold's ``resolution``); voiding or
expiry releases them. The database keeps ``held`` and refuses to change a resolved hold, so a
hold resolves exactly once whatever races: the second resolver finds it resolved and is told.
"""

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cocreate.errors import Conflict, ValidationError

from ..models import Account, Entry, Hold, Transaction
from .ledger import MAX_AMOUNT, InsufficientPoints, KeyReused, _digest, lock_accounts


class HoldResolved(Conflict):
    """The hold was already posted, voided or expired."""

    def __init__(self, hold: Hold) -> None:
        super().__init__(
            _("This hold is already %(status)s.") % {"status": hold.get_status_display().lower()},
            code="hold_resolved",
        )
        self.hold = hold


def hold_place(
    *,
    key: str,
    account: Account,
    counter_account: Account,
    amount: int,
    memo: str,
    expires_at: datetime,
) -> Hold:
    """Reserve ``amount`` available points of the wallet ``account`` for ``counter_account``,
    until ``expires_at``; once per ``key`` (the same content answers the same hold, other
    content raises KeyReused). InsufficientPoints when the wallet lacks available points,
    checked under a lock on it: two holds that together exceed a balance never both succeed."""
    errors: dict[str, list[str]] = {}
    if account.kind != Account.Kind.WALLET:
        errors["account"] = [_("Only a member's wallet holds points.")]
    if counter_account.community_id != account.community_id or counter_account.pk == account.pk:
        errors["counter_account"] = [_("The counter account is another account of the community.")]
    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount <= MAX_AMOUNT:
        errors["amount"] = [_("The amount is a whole number of points above zero.")]
    if expires_at <= timezone.now():
        errors["expires_at"] = [_("A hold expires in the future.")]
    if not memo.strip() or len(memo) > 300:
        errors["memo"] = [_("A memo of 1 to 300 characters is required.")]
    if not key or len(key) > 200:
        errors["key"] = [_("An idempotency key of 1 to 200 characters is required.")]
    if errors:
        raise ValidationError(errors)
    digest = _digest(
        {"account": account.pk, "counter": counter_account.pk, "amount": amount, "memo": memo}
    )

    def existing() -> Hold:
        found = Hold.objects.get(key=key)
        if found.digest != digest:
            differs = [
                name
                for name, same in (
                    ("account", found.account_id == account.pk),
                    ("counter_account", found.counter_account_id == counter_account.pk),
                    ("amount", found.amount == amount),
                    ("memo", found.memo == memo),
                )
                if not same
            ]
            raise KeyReused(key, differs or ["content"])
        return found

    if Hold.objects.filter(key=key).exists():
        return existing()
    try:
        with transaction.atomic():
            wallet = lock_accounts([account.pk])[account.pk]
            if Hold.objects.filter(key=key).exists():
                return existing()
            if wallet.available < amount:
                raise InsufficientPoints(wallet.available, amount)
            return Hold.objects.create(
                community_id=account.community_id,
                key=key,
                digest=digest,
                account=account,
                counter_account=counter_account,
                amount=amount,
                memo=memo,
                expires_at=expires_at,
            )
    except IntegrityError:
        if Hold.objects.filter(key=key).exists():
            return existing()
        raise


def _lock_hold(hold: Hold) -> tuple[Hold, bool]:
    """Lock the hold; (the locked hold, True) if it is still pending, else (it, False)."""
    locked = Hold.objects.select_for_update().get(pk=hold.pk)
    return locked, locked.status == Hold.Status.PENDING


def hold_post(*, hold: Hold, booked_by: Any = None) -> Transaction:
    """Book the held points from the wallet to the counter account and resolve the hold as
    posted, in one transaction; HoldResolved if it was resolved already (nothing booked)."""
    with transaction.atomic():
        locked, pending = _lock_hold(hold)
        if not pending:
            raise HoldResolved(locked)
        lock_accounts([locked.account_id, locked.counter_account_id])
        posting = Transaction.objects.create(
            community_id=locked.community_id,
            key=f"hold:{locked.pk}:post",
            digest=_digest({"hold": locked.pk, "post": True}),
            memo=locked.memo,
            cause=f"hold {locked.pk}",
            via="hold",
            booked_by=booked_by if booked_by is not None and booked_by.pk else None,
        )
        # Release first, then book: the wallet's available points never dip below zero.
        Hold.objects.filter(pk=locked.pk).update(
            status=Hold.Status.POSTED, resolved_at=timezone.now(), resolution=posting
        )
        Entry.objects.bulk_create(
            [
                Entry(
                    transaction=posting,
                    account_id=locked.account_id,
                    side=Entry.Side.DEBIT,
                    amount=locked.amount,
                ),
                Entry(
                    transaction=posting,
                    account_id=locked.counter_account_id,
                    side=Entry.Side.CREDIT,
                    amount=locked.amount,
                ),
            ]
        )
        return posting


def hold_void(*, hold: Hold, expired: bool = False) -> Hold:
    """Release the held points (voided, or expired when ``expired``); HoldResolved if the
    hold was resolved already."""
    status = Hold.Status.EXPIRED if expired else Hold.Status.VOIDED
    with transaction.atomic():
        locked, pending = _lock_hold(hold)
        if not pending:
            raise HoldResolved(locked)
        lock_accounts([locked.account_id])
        Hold.objects.filter(pk=locked.pk).update(status=status, resolved_at=timezone.now())
        locked.refresh_from_db()
        return locked


def holds_expire(*, now: datetime | None = None, limit: int = 500) -> int:
    """Expire pending holds past their time (the beat task calls this); returns how many."""
    now = now or timezone.now()
    done = 0
    due = Hold.objects.filter(status=Hold.Status.PENDING, expires_at__lte=now).order_by("pk")
    for hold in due[:limit]:
        try:
            hold_void(hold=hold, expired=True)
        except HoldResolved:
            continue  # resolved meanwhile by a fulfilment or a cancel
        done += 1
    return done
