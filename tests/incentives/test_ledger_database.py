"""The ledger's invariants are the database's: raw SQL that breaks one is refused by PostgreSQL,
whatever path wrote it (see incentives/migrations/0002_ledger_invariants.py)."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from incentives.models import Account, Entry, Hold, Transaction
from incentives.reconciliation import check
from incentives.services.holds import hold_place, hold_void
from incentives.tasks import ledger_check as ledger_check_task

from ..conftest import require_or_skip, uses_postgres
from ..factories import UserFactory
from .helpers import earn, open_books

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgres_only():
    require_or_skip(uses_postgres(), "the ledger's triggers are PostgreSQL's")


def _sql(statement: str, params=()) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def _new_transaction(community_id: int, key: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO incentives_transaction (community_id, key, digest, memo, cause, via, "
            "created_at) VALUES (%s, %s, '', 'raw', '', 'sql', now()) RETURNING id",
            [community_id, key],
        )
        return cursor.fetchone()[0]


def test_an_unbalanced_transaction_fails_at_commit():
    books = open_books(1)
    wallet = books.wallets[0]
    with pytest.raises(IntegrityError, match="unbalanced"), transaction.atomic():
        txn = _new_transaction(books.community.pk, "raw-unbalanced")
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO incentives_entry (transaction_id, account_id, side, amount) VALUES "
                "(%s, %s, 'D', 10), (%s, %s, 'C', 9)",
                [txn, books.issuance.pk, txn, wallet.pk],
            )
    assert not Transaction.objects.filter(key="raw-unbalanced").exists()
    wallet.refresh_from_db()
    assert wallet.posted == 0


def test_a_balanced_transaction_written_by_hand_is_accepted_and_moves_balances():
    books = open_books(1)
    wallet = books.wallets[0]
    with transaction.atomic():
        txn = _new_transaction(books.community.pk, "raw-balanced")
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO incentives_entry (transaction_id, account_id, side, amount) VALUES "
                "(%s, %s, 'D', 10), (%s, %s, 'C', 10)",
                [txn, books.issuance.pk, txn, wallet.pk],
            )
    wallet.refresh_from_db()
    books.issuance.refresh_from_db()
    assert (wallet.posted, books.issuance.posted) == (10, -10)


@pytest.mark.parametrize("amount", [0, -5])
def test_zero_or_negative_amounts_are_refused(amount):
    books = open_books(1)
    with pytest.raises(IntegrityError, match="incentives_entry_positive"), transaction.atomic():
        txn = _new_transaction(books.community.pk, f"raw-{amount}")
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO incentives_entry (transaction_id, account_id, side, amount) VALUES "
                "(%s, %s, 'D', %s), (%s, %s, 'C', %s)",
                [txn, books.issuance.pk, amount, txn, books.wallets[0].pk, amount],
            )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE incentives_entry SET amount = amount + 1",
        "DELETE FROM incentives_entry",
        "UPDATE incentives_transaction SET memo = 'rewritten'",
        "DELETE FROM incentives_transaction",
    ],
)
def test_entries_and_transactions_are_insert_only(statement):
    books = open_books(1)
    earn(books, books.wallets[0], 5, "insert-only")
    with pytest.raises(DatabaseError, match="insert-only"):
        _sql(statement)
    assert Entry.objects.filter(amount=5).count() == 2
    assert Transaction.objects.get(key="insert-only").memo == "earned"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE incentives_account SET posted = posted + 100",
        "UPDATE incentives_account SET held = held + 1",
        "DELETE FROM incentives_account",
    ],
)
def test_balances_are_never_written_directly(statement):
    books = open_books(1)
    earn(books, books.wallets[0], 5, "guarded")
    with pytest.raises(DatabaseError):
        _sql(statement)
    books.wallets[0].refresh_from_db()
    assert books.wallets[0].posted == 5


def test_an_account_opens_empty():
    books = open_books(0)
    with pytest.raises(DatabaseError, match="opens empty"):
        _sql(
            "INSERT INTO incentives_account (community_id, kind, posted, held, created_at) "
            "VALUES (%s, 'expiry', 50, 0, now())",
            [books.community.pk],
        )


def test_a_wallet_never_goes_below_zero_even_by_raw_sql():
    books = open_books(1)
    wallet = books.wallets[0]
    earn(books, wallet, 5, "some")
    with pytest.raises(IntegrityError, match="available_not_negative"), transaction.atomic():
        txn = _new_transaction(books.community.pk, "overspend")
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO incentives_entry (transaction_id, account_id, side, amount) VALUES "
                "(%s, %s, 'D', 6), (%s, %s, 'C', 6)",
                [txn, wallet.pk, txn, books.clearing.pk],
            )
    wallet.refresh_from_db()
    assert wallet.posted == 5


def test_a_resolved_hold_never_changes_again():
    books = open_books(1)
    wallet = books.wallets[0]
    earn(books, wallet, 20, "for-hold")
    hold = hold_place(
        key="h1",
        account=wallet,
        counter_account=books.clearing,
        amount=8,
        memo="a mug",
        expires_at=timezone.now() + timedelta(days=1),
    )
    wallet.refresh_from_db()
    assert (wallet.posted, wallet.held, wallet.available) == (20, 8, 12)
    hold_void(hold=hold)
    for statement in (
        "UPDATE incentives_hold SET status = 'pending', resolved_at = NULL",
        "UPDATE incentives_hold SET status = 'expired'",
        "DELETE FROM incentives_hold",
    ):
        with pytest.raises(DatabaseError):
            _sql(statement)
    wallet.refresh_from_db()
    assert (wallet.held, Hold.objects.get().status) == (0, "voided")
    assert Account.objects.get(pk=wallet.pk).available == 20


def test_ledger_check_finds_a_balance_changed_behind_the_triggers_back():
    """With triggers switched off (as a restore or a superuser could), a changed balance is
    caught by the reconciliation, which recomputes from the entries."""
    books = open_books(1)
    earn(books, books.wallets[0], 5, "honest")
    assert check() == []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE incentives_account SET posted = 500 WHERE id = %s", [books.wallets[0].pk]
        )
    findings = [str(f) for f in check()]
    assert findings == [f"posted balance: account {books.wallets[0].pk} keeps 500, entries say 5"]
    with pytest.raises(CommandError, match="1 difference"):
        call_command("ledger_check")


def test_the_nightly_check_emails_platform_admins_the_differences(mailoutbox):
    admin = UserFactory(is_superuser=True, email="root@example.test")
    books = open_books(1)
    earn(books, books.wallets[0], 5, "nightly")
    assert ledger_check_task() == 0
    assert mailoutbox == []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE incentives_account SET posted = 7 WHERE id = %s", [books.wallets[0].pk]
        )
    assert ledger_check_task() == 1
    [mail] = mailoutbox
    assert mail.to == [admin.email]
    assert "keeps 7, entries say 5" in mail.body
