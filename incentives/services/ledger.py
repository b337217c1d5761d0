"""Booking points: balanced transactions, once per idempotency key; reversals.

Every function here expects to run in its own ``transaction.atomic`` (it opens one) and books
through the database's triggers: balances are never written by code (see
``incentives.models.ledger``).

Idempotency follows TigerBeetle's results: a key books once. The same key with the same content
answers the original transaction (``Booked.created`` is False); with other content it is
refused with :class:`KeyReused`, which names what differs.
"""

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cocreate.errors import Conflict, ValidationError
from communities.models import Community

from ..models import Account, Entry, Transaction

MAX_AMOUNT = 10**12  # far above any points a community gives; keeps sums inside bigint


@dataclass(frozen=True)
class Leg:
    """One entry to book: ``amount`` points debited ("D") from or credited ("C") to ``account``."""

    account: Account
    side: str
    amount: int


@dataclass(frozen=True)
class Booked:
    """The transaction a key booked, and whether this call booked it (False: it already was)."""

    transaction: Transaction
    created: bool


class KeyReused(Conflict):
    """The idempotency key already booked something else; ``differs`` names the fields."""

    def __init__(self, key: str, differs: list[str]) -> None:
        super().__init__(
            _("The key %(key)s already booked a different transaction (%(fields)s differ).")
            % {"key": key, "fields": ", ".join(differs)},
            code="idempotency_key_reused",
        )
        self.differs = differs


class InsufficientPoints(Conflict):
    """A wallet would go below zero available points."""

    def __init__(self, available: int, needed: int) -> None:
        super().__init__(
            _("Not enough points: %(available)s available, %(needed)s needed.")
            % {"available": available, "needed": needed},
            code="insufficient_points",
        )
        self.available = available
        self.needed = needed


class AlreadyReversed(Conflict):
    """The transaction was reversed already (each is reversed at most once)."""

    def __init__(self, original: Transaction) -> None:
        super().__init__(
            _("Transaction %(id)s was already reversed.") % {"id": original.pk},
            code="already_reversed",
        )


# --- accounts ---------------------------------------------------------------------------


def wallet_for(*, community: Community, user: Any) -> Account:
    """The member's wallet in ``community``, opened empty on first use (race-safe)."""
    return _account(community=community, kind=Account.Kind.WALLET, owner=user)


def system_account(*, community: Community, kind: str) -> Account:
    """The community's ``kind`` account (issuance, clearing, expiry), opened on first use."""
    if kind == Account.Kind.WALLET:
        raise ValueError("wallets belong to members: use wallet_for")
    return _account(community=community, kind=kind, owner=None)


def _account(*, community: Community, kind: str, owner: Any) -> Account:
    lookup = {"community": community, "kind": kind, "owner": owner}
    found = Account.objects.filter(**lookup).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Account.objects.create(**lookup)
    except IntegrityError:  # opened meanwhile by another request
        return Account.objects.get(**lookup)


# --- booking ----------------------------------------------------------------------------


def _legs_content(legs: Iterable[tuple[int, str, int]]) -> list[list]:
    return sorted([account_id, side, amount] for account_id, side, amount in legs)


def _digest(fields: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


def _content(
    community_id: int, memo: str, cause: str, via: str, legs, reverses_id, rules_id=None
) -> dict:
    return {
        "community": community_id,
        "rules": rules_id,
        "memo": memo,
        "cause": cause,
        "via": via,
        "entries": _legs_content(legs),
        "reverses": reverses_id,
    }


_FIELD_WORDS = {
    "community": "community",
    "rules": "rules",
    "memo": "memo",
    "cause": "cause",
    "via": "via",
    "entries": "entries",
    "reverses": "reverses",
}


def _existing(key: str, content: dict) -> Booked:
    """The transaction booked under ``key``; KeyReused if its content is not ``content``."""
    found = Transaction.objects.get(key=key)
    if found.digest == _digest(content):
        return Booked(found, created=False)
    stored = _content(
        found.community_id,
        found.memo,
        found.cause,
        found.via,
        found.entries.values_list("account_id", "side", "amount"),
        found.reverses_id,
        found.rules_id,
    )
    differs = [_FIELD_WORDS[name] for name in content if content[name] != stored[name]]
    raise KeyReused(key, differs or ["content"])


def _validate(community: Community, legs: Sequence[Leg], key: str, memo: str) -> None:
    errors: dict[str, list[str]] = {}
    if not key or len(key) > 200:
        errors["key"] = [_("An idempotency key of 1 to 200 characters is required.")]
    if not memo.strip() or len(memo) > 300:
        errors["memo"] = [_("A memo of 1 to 300 characters is required.")]
    if len(legs) < 2:
        errors.setdefault("entries", []).append(_("A transaction has at least two entries."))
    for leg in legs:
        if leg.side not in (Entry.Side.DEBIT, Entry.Side.CREDIT):
            errors.setdefault("entries", []).append(_("An entry is a debit or a credit."))
        if not isinstance(leg.amount, int) or isinstance(leg.amount, bool):
            errors.setdefault("entries", []).append(_("Amounts are whole points."))
        elif not 0 < leg.amount <= MAX_AMOUNT:
            errors.setdefault("entries", []).append(
                _("Each amount is between 1 and %(max)s points.") % {"max": MAX_AMOUNT}
            )
        if leg.account.community_id != community.pk:
            errors.setdefault("entries", []).append(
                _("Every account must belong to the transaction's community.")
            )
    if len({leg.account.pk for leg in legs}) != len(legs):
        errors.setdefault("entries", []).append(_("Each account appears once per transaction."))
    if "entries" not in errors:
        debits = sum(leg.amount for leg in legs if leg.side == Entry.Side.DEBIT)
        credits = sum(leg.amount for leg in legs if leg.side == Entry.Side.CREDIT)
        if debits != credits:
            errors["entries"] = [
                _("Debits (%(debits)s) must equal credits (%(credits)s).")
                % {"debits": debits, "credits": credits}
            ]
    if errors:
        raise ValidationError({name: sorted(set(found)) for name, found in errors.items()})


def lock_accounts(account_ids: Iterable[int]) -> dict[int, Account]:
    """The accounts, locked FOR UPDATE in id order (so two bookings never deadlock), fresh."""
    ids = sorted(set(account_ids))
    return {a.pk: a for a in Account.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


def book(
    *,
    key: str,
    community: Community,
    memo: str,
    legs: Sequence[Leg],
    via: str,
    cause: str = "",
    booked_by: Any = None,
    reverses: Transaction | None = None,
    rules: Any = None,
) -> Booked:
    """Book ``legs`` as one balanced transaction, once per ``key``.

    Refused with ValidationError (field errors) when the legs do not balance, an amount is not
    a positive whole number, or an account is of another community; with InsufficientPoints
    when a debited wallet lacks available points (checked under a lock on the accounts, in id
    order); with KeyReused when ``key`` booked other content. The balances follow from the
    entries (database triggers)."""
    _validate(community, legs, key, memo)
    content = _content(
        community.pk,
        memo,
        cause,
        via,
        [(leg.account.pk, leg.side, leg.amount) for leg in legs],
        reverses.pk if reverses is not None else None,
        rules.pk if rules is not None else None,
    )
    if Transaction.objects.filter(key=key).exists():
        return _existing(key, content)
    try:
        with transaction.atomic():
            accounts = lock_accounts(leg.account.pk for leg in legs)
            if Transaction.objects.filter(key=key).exists():  # booked while we waited
                return _existing(key, content)
            for leg in legs:
                account = accounts[leg.account.pk]
                wallet = account.kind == Account.Kind.WALLET
                if wallet and leg.side == Entry.Side.DEBIT and account.available < leg.amount:
                    raise InsufficientPoints(account.available, leg.amount)
            booked = Transaction.objects.create(
                community=community,
                key=key,
                digest=_digest(content),
                memo=memo,
                cause=cause,
                via=via,
                booked_by=booked_by if booked_by is not None and booked_by.pk else None,
                reverses=reverses,
                rules=rules,
            )
            Entry.objects.bulk_create(
                Entry(
                    transaction=booked, account_id=leg.account.pk, side=leg.side, amount=leg.amount
                )
                for leg in legs
            )
    except IntegrityError:
        # Booked meanwhile under the same key (the unique index waited for it), or this
        # transaction was reversed meanwhile: answer as if we had come second.
        if Transaction.objects.filter(key=key).exists():
            return _existing(key, content)
        if reverses is not None and Transaction.objects.filter(reverses=reverses).exists():
            raise AlreadyReversed(reverses) from None
        raise
    return Booked(booked, created=True)


def transfer(
    *,
    key: str,
    debit: Account,
    credit: Account,
    amount: int,
    memo: str,
    via: str,
    cause: str = "",
    booked_by: Any = None,
    rules: Any = None,
) -> Booked:
    """Book ``amount`` points from ``debit`` to ``credit`` (a two-entry ``book``)."""
    return book(
        key=key,
        community=debit.community,
        memo=memo,
        legs=[Leg(debit, Entry.Side.DEBIT, amount), Leg(credit, Entry.Side.CREDIT, amount)],
        via=via,
        cause=cause,
        booked_by=booked_by,
        rules=rules,
    )


def reverse(
    *, original: Transaction, key: str, memo: str, booked_by: Any = None, cause: str = ""
) -> Booked:
    """Book the mirror of ``original`` (every debit a credit and back), once: a transaction is
    reversed at most once (the database holds it: ``reverses`` is unique). Refused with
    AlreadyReversed when it was; with InsufficientPoints when a wallet has spent the points."""
    if original.reverses_id is not None:
        raise ValidationError({"original": [_("A reversal is not reversed; book anew.")]})
    legs = [
        Leg(
            entry.account,
            Entry.Side.CREDIT if entry.side == Entry.Side.DEBIT else Entry.Side.DEBIT,
            entry.amount,
        )
        for entry in original.entries.select_related("account")
    ]
    existing = Transaction.objects.filter(reverses=original).exclude(key=key).first()
    if existing is not None:
        raise AlreadyReversed(original)
    return book(
        key=key,
        community=original.community,
        memo=memo,
        legs=legs,
        via="reversal",
        cause=cause or f"reversal of transaction {original.pk}",
        booked_by=booked_by,
        reverses=original,
    )


@dataclass(frozen=True)
class Issue:
    """Points issued to one wallet: one two-entry transaction (issuance → wallet)."""

    key: str
    wallet: Account
    amount: int
    memo: str
    cause: str
    rules: Any = None


def issue_many(*, community: Community, issues: Sequence[Issue], via: str) -> list[str]:
    """Book many issuances in ``community`` at once (the bookkeeping consumer's batch): the same
    guarantees as ``book`` for each — once per key, balanced, positive — in a few statements.

    Keys already booked (before, or earlier in ``issues``) are skipped whatever their content
    (a worker's redelivery); returns the keys booked now. Call inside the caller's transaction:
    the issuance account and the wallets are locked in id order first."""
    issuance = system_account(community=community, kind=Account.Kind.ISSUANCE)
    fresh: dict[str, Issue] = {}
    for issue in issues:
        if issue.key not in fresh:
            _validate(
                community,
                [
                    Leg(issuance, Entry.Side.DEBIT, issue.amount),
                    Leg(issue.wallet, "C", issue.amount),
                ],
                issue.key,
                issue.memo,
            )
            fresh[issue.key] = issue
    if not fresh:
        return []
    lock_accounts([issuance.pk, *(i.wallet.pk for i in fresh.values())])
    done = set(Transaction.objects.filter(key__in=list(fresh)).values_list("key", flat=True))
    todo = [issue for key, issue in fresh.items() if key not in done]
    rows = Transaction.objects.bulk_create(
        Transaction(
            community=community,
            key=issue.key,
            digest=_digest(
                _content(
                    community.pk,
                    issue.memo,
                    issue.cause,
                    via,
                    [(issuance.pk, "D", issue.amount), (issue.wallet.pk, "C", issue.amount)],
                    None,
                    issue.rules.pk if issue.rules is not None else None,
                )
            ),
            memo=issue.memo,
            cause=issue.cause,
            via=via,
            rules=issue.rules,
        )
        for issue in todo
    )
    Entry.objects.bulk_create(
        entry
        for txn, issue in zip(rows, todo, strict=True)
        for entry in (
            Entry(transaction=txn, account_id=issuance.pk, side="D", amount=issue.amount),
            Entry(transaction=txn, account_id=issue.wallet.pk, side="C", amount=issue.amount),
        )
    )
    return [issue.key for issue in todo]


def wallets_for(*, community: Community, user_ids: Iterable[int]) -> dict[int, Account]:
    """The members' wallets in ``community`` by user id, the missing ones opened (race-safe)."""
    ids = set(user_ids)
    found: dict[int, Account] = {
        a.owner_id: a  # type: ignore[misc]  # a wallet's owner is never null (CHECK)
        for a in Account.objects.filter(
            community=community, kind=Account.Kind.WALLET, owner_id__in=ids
        )
    }
    missing = ids - set(found)
    if missing:
        Account.objects.bulk_create(
            [
                Account(community=community, kind=Account.Kind.WALLET, owner_id=user_id)
                for user_id in missing
            ],
            ignore_conflicts=True,
        )
        found.update(
            {
                a.owner_id: a  # type: ignore[misc]
                for a in Account.objects.filter(
                    community=community, kind=Account.Kind.WALLET, owner_id__in=missing
                )
            }
        )
    return found
