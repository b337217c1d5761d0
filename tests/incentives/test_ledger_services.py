"""Booking, idempotency (TigerBeetle's exists / exists_with_different_*), reversals, holds."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from cocreate.errors import ValidationError
from incentives.models import Account, Entry, Hold, Transaction
from incentives.services.holds import HoldResolved, hold_place, hold_post, hold_void, holds_expire
from incentives.services.ledger import (
    AlreadyReversed,
    InsufficientPoints,
    KeyReused,
    Leg,
    book,
    reverse,
    system_account,
    transfer,
    wallet_for,
)

from ..factories import CommunityFactory, UserFactory
from .helpers import earn, open_books

pytestmark = pytest.mark.django_db


def _balances(*accounts):
    for account in accounts:
        account.refresh_from_db()
    return [a.posted for a in accounts]


def test_earning_moves_points_from_issuance_to_the_wallet():
    books = open_books(1)
    booked = earn(books, books.wallets[0], 30, "k1")
    assert booked.created
    assert _balances(books.issuance, books.wallets[0]) == [-30, 30]
    assert sorted(booked.transaction.entries.values_list("side", "amount")) == [
        ("C", 30),
        ("D", 30),
    ]


def test_the_same_key_and_content_books_once_and_answers_the_original():
    books = open_books(1)
    first = earn(books, books.wallets[0], 30, "same")
    again = earn(books, books.wallets[0], 30, "same")
    assert not again.created
    assert again.transaction.pk == first.transaction.pk
    assert _balances(books.wallets[0]) == [30]
    assert Transaction.objects.count() == 1


def test_the_same_key_with_other_content_is_refused_naming_what_differs():
    books = open_books(2)
    earn(books, books.wallets[0], 30, "key-x")
    with pytest.raises(KeyReused) as refused:
        earn(books, books.wallets[0], 31, "key-x")
    assert refused.value.differs == ["entries"]
    with pytest.raises(KeyReused) as refused:
        transfer(
            key="key-x",
            debit=books.issuance,
            credit=books.wallets[0],
            amount=30,
            memo="other words",
            via="test",
        )
    assert refused.value.differs == ["memo"]
    assert "memo" in refused.value.message
    assert _balances(books.wallets[0], books.wallets[1]) == [30, 0]


@pytest.mark.parametrize(
    ("legs", "field"),
    [
        (lambda b: [Leg(b.issuance, "D", 5), Leg(b.wallets[0], "C", 4)], "entries"),
        (lambda b: [Leg(b.issuance, "D", 0), Leg(b.wallets[0], "C", 0)], "entries"),
        (lambda b: [Leg(b.issuance, "D", -3), Leg(b.wallets[0], "C", -3)], "entries"),
        (lambda b: [Leg(b.issuance, "D", 2.5), Leg(b.wallets[0], "C", 2.5)], "entries"),
        (lambda b: [Leg(b.issuance, "D", 5)], "entries"),
        (lambda b: [Leg(b.issuance, "X", 5), Leg(b.wallets[0], "C", 5)], "entries"),
        (lambda b: [Leg(b.wallets[0], "D", 5), Leg(b.wallets[0], "C", 5)], "entries"),
    ],
)
def test_bad_bookings_are_refused_with_field_errors_and_write_nothing(legs, field):
    books = open_books(1)
    with pytest.raises(ValidationError) as refused:
        book(key="bad", community=books.community, memo="m", legs=legs(books), via="test")
    assert field in refused.value.message_dict
    assert not Transaction.objects.exists()
    assert _balances(books.issuance, books.wallets[0]) == [0, 0]


def test_an_account_of_another_community_is_refused():
    books = open_books(1)
    elsewhere = wallet_for(community=CommunityFactory(), user=UserFactory())
    with pytest.raises(ValidationError) as refused:
        transfer(key="x", debit=books.issuance, credit=elsewhere, amount=1, memo="m", via="t")
    assert "community" in refused.value.message_dict["entries"][0]


def test_a_wallet_cannot_spend_more_than_it_has():
    books = open_books(1)
    wallet = books.wallets[0]
    earn(books, wallet, 10, "ten")
    with pytest.raises(InsufficientPoints) as refused:
        transfer(key="spend", debit=wallet, credit=books.clearing, amount=11, memo="m", via="t")
    assert (refused.value.available, refused.value.needed) == (10, 11)
    assert "10 available" in refused.value.message
    assert _balances(wallet) == [10]


def test_a_reversal_mirrors_the_original_once():
    books = open_books(1)
    wallet = books.wallets[0]
    original = earn(books, wallet, 12, "to-reverse").transaction
    reversed_ = reverse(original=original, key="rev-1", memo="idea hidden by moderation")
    assert reversed_.transaction.reverses_id == original.pk
    assert _balances(books.issuance, wallet) == [0, 0]
    # Same key again: the same reversal; another key: refused, nothing booked.
    assert (
        reverse(original=original, key="rev-1", memo="idea hidden by moderation").created is False
    )
    with pytest.raises(AlreadyReversed):
        reverse(original=original, key="rev-2", memo="again")
    with pytest.raises(ValidationError):
        reverse(original=reversed_.transaction, key="rev-3", memo="undo the undo")
    assert Transaction.objects.count() == 2


def test_a_reversal_of_spent_points_is_refused():
    books = open_books(1)
    wallet = books.wallets[0]
    original = earn(books, wallet, 12, "spent-later").transaction
    transfer(key="spend", debit=wallet, credit=books.clearing, amount=10, memo="a mug", via="t")
    with pytest.raises(InsufficientPoints):
        reverse(original=original, key="rev", memo="hidden")
    assert _balances(wallet) == [2]


def test_system_accounts_and_wallets_open_once():
    books = open_books(1)
    assert system_account(community=books.community, kind="issuance").pk == books.issuance.pk
    owner = books.wallets[0].owner
    assert wallet_for(community=books.community, user=owner).pk == books.wallets[0].pk
    with pytest.raises(ValueError, match="wallet"):
        system_account(community=books.community, kind=Account.Kind.WALLET)


def _hold(books, wallet, amount, key, days=1):
    return hold_place(
        key=key,
        account=wallet,
        counter_account=books.clearing,
        amount=amount,
        memo="early access",
        expires_at=timezone.now() + timedelta(days=days),
    )


def test_a_hold_reserves_points_and_posting_books_them():
    books = open_books(1)
    wallet = books.wallets[0]
    earn(books, wallet, 50, "fifty")
    hold = _hold(books, wallet, 30, "h")
    wallet.refresh_from_db()
    assert (wallet.posted, wallet.held, wallet.available) == (50, 30, 20)
    with pytest.raises(InsufficientPoints):
        _hold(books, wallet, 21, "h2")
    posting = hold_post(hold=hold)
    wallet.refresh_from_db()
    books.clearing.refresh_from_db()
    assert (wallet.posted, wallet.held, books.clearing.posted) == (20, 0, 30)
    hold.refresh_from_db()
    assert (hold.status, hold.resolution_id) == ("posted", posting.pk)
    with pytest.raises(HoldResolved):
        hold_post(hold=hold)
    with pytest.raises(HoldResolved):
        hold_void(hold=hold)
    assert Entry.objects.filter(transaction=posting).count() == 2


def test_voiding_and_expiry_release_the_points_and_book_nothing():
    books = open_books(1)
    wallet = books.wallets[0]
    earn(books, wallet, 50, "fifty")
    voided = hold_void(hold=_hold(books, wallet, 10, "v"))
    expiring = _hold(books, wallet, 15, "e")
    Hold.objects.filter(pk=expiring.pk)  # still pending
    assert holds_expire(now=timezone.now() + timedelta(days=2)) == 1
    expiring.refresh_from_db()
    wallet.refresh_from_db()
    assert (voided.status, expiring.status) == ("voided", "expired")
    assert (wallet.posted, wallet.held) == (50, 0)
    assert Transaction.objects.count() == 1  # only the earning


def test_hold_keys_are_idempotent_too():
    books = open_books(1)
    wallet = books.wallets[0]
    earn(books, wallet, 50, "fifty")
    first = _hold(books, wallet, 10, "hk")
    assert _hold(books, wallet, 10, "hk").pk == first.pk
    with pytest.raises(KeyReused) as refused:
        _hold(books, wallet, 11, "hk")
    assert refused.value.differs == ["amount"]
    wallet.refresh_from_db()
    assert wallet.held == 10


def test_bad_holds_are_refused_with_field_errors():
    books = open_books(1)
    wallet = books.wallets[0]
    with pytest.raises(ValidationError) as refused:
        hold_place(
            key="",
            account=books.issuance,
            counter_account=books.issuance,
            amount=0,
            memo="",
            expires_at=timezone.now() - timedelta(seconds=1),
        )
    assert set(refused.value.message_dict) == {
        "key",
        "account",
        "counter_account",
        "amount",
        "memo",
        "expires_at",
    }
    assert not Hold.objects.exists()
    wallet.refresh_from_db()
    assert wallet.held == 0


def test_ledger_check_is_clean_after_real_bookings(capsys):
    books = open_books(2)
    earn(books, books.wallets[0], 40, "a")
    earn(books, books.wallets[1], 25, "b")
    hold_post(hold=_hold(books, books.wallets[0], 15, "h1"))
    _hold(books, books.wallets[1], 5, "h2")
    call_command("ledger_check")
    assert "agree" in capsys.readouterr().out


def test_ledger_check_fails_on_a_transaction_without_entries():
    books = open_books(1)
    Transaction.objects.create(community=books.community, key="empty", digest="", memo="x", via="t")
    with pytest.raises(CommandError, match="1 difference"):
        call_command("ledger_check")
