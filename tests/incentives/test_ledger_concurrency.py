"""The ledger under real concurrency on PostgreSQL: threads with their own connections."""

import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from incentives.models import Hold, Transaction
from incentives.reconciliation import check
from incentives.services.holds import HoldResolved, hold_place, hold_post, hold_void
from incentives.services.ledger import InsufficientPoints, KeyReused, transfer

from ..conftest import require_or_skip, uses_postgres
from .helpers import earn, open_books

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgres_only():
    require_or_skip(uses_postgres(), "row locks and unique-index waits are PostgreSQL's")


def _together(count: int, target) -> list:
    results: list = [None] * count
    barrier = threading.Barrier(count)

    def worker(i: int) -> None:
        try:
            barrier.wait(timeout=20)
            results[i] = target(i)
        except Exception as exc:  # asserted by the caller
            results[i] = exc
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_fifty_parallel_bookings_with_one_key_book_once():
    books = open_books(1)
    wallet = books.wallets[0]
    results = _together(50, lambda i: earn(books, wallet, 25, "the-key"))
    assert all(not isinstance(r, Exception) for r in results), results
    assert sum(r.created for r in results) == 1
    assert len({r.transaction.pk for r in results}) == 1
    assert Transaction.objects.filter(key="the-key").count() == 1
    wallet.refresh_from_db()
    assert wallet.posted == 25
    assert check() == []


def test_the_same_key_with_other_content_in_parallel_is_refused():
    books = open_books(1)
    wallet = books.wallets[0]
    results = _together(10, lambda i: earn(books, wallet, 10 + (i % 2), "split-key"))
    booked = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, KeyReused)]
    assert len(booked) + len(refused) == 10
    amounts = {r.transaction.entries.first().amount for r in booked}
    assert len(amounts) == 1  # everyone who succeeded got the one booking
    assert all(r.differs == ["entries"] for r in refused)
    assert Transaction.objects.count() == 1


def test_two_holds_that_together_exceed_the_balance_one_is_refused():
    books = open_books(1)
    wallet = books.wallets[0]
    earn(books, wallet, 100, "hundred")
    results = _together(
        2,
        lambda i: hold_place(
            key=f"h{i}",
            account=wallet,
            counter_account=books.clearing,
            amount=70,
            memo="event place",
            expires_at=timezone.now() + timedelta(hours=1),
        ),
    )
    assert sorted(type(r).__name__ for r in results) == ["Hold", "InsufficientPoints"]
    refused = next(r for r in results if isinstance(r, InsufficientPoints))
    assert "30 available" in refused.message
    wallet.refresh_from_db()
    assert (wallet.held, wallet.available) == (70, 30)


def test_parallel_spending_never_overdraws_a_wallet():
    books = open_books(1)
    wallet = books.wallets[0]
    earn(books, wallet, 100, "hundred")
    results = _together(
        12,
        lambda i: transfer(
            key=f"spend-{i}", debit=wallet, credit=books.clearing, amount=30, memo="m", via="t"
        ),
    )
    assert sum(not isinstance(r, Exception) for r in results) == 3
    assert all(isinstance(r, InsufficientPoints) for r in results if isinstance(r, Exception))
    wallet.refresh_from_db()
    assert (wallet.posted, wallet.available) == (10, 10)
    assert check() == []


def test_a_hold_resolves_exactly_once_when_posted_and_voided_together():
    books = open_books(1)
    wallet = books.wallets[0]
    earn(books, wallet, 100, "hundred")
    for round_ in range(5):
        hold = hold_place(
            key=f"race-{round_}",
            account=wallet,
            counter_account=books.clearing,
            amount=10,
            memo="discount",
            expires_at=timezone.now() + timedelta(hours=1),
        )
        results = _together(
            4,
            lambda i, hold=hold: (
                hold_post(hold=hold) if i % 2 else hold_void(hold=hold, expired=i == 2)
            ),
        )
        winners = [r for r in results if not isinstance(r, Exception)]
        assert len(winners) == 1, results
        assert all(isinstance(r, HoldResolved) for r in results if isinstance(r, Exception))
    wallet.refresh_from_db()
    posted = Hold.objects.filter(status="posted").count()
    assert wallet.held == 0
    assert wallet.posted == 100 - 10 * posted
    assert check() == []
