"""Reconciliation: the ledger recomputed from its entries, compared with what it keeps.

``ledger_check`` (the management command, and the nightly beat task) runs :func:`check`. Each
finding is one line a platform admin can act on; an empty list means the ledger is sound."""

from dataclasses import dataclass

from django.db import connection

from .models import Account, Entry, Hold, Transaction

_A, _E, _H, _T = (m._meta.db_table for m in (Account, Entry, Hold, Transaction))


@dataclass(frozen=True)
class Finding:
    what: str
    detail: str

    def __str__(self) -> str:
        return f"{self.what}: {self.detail}"


def _rows(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def check() -> list[Finding]:
    """Every difference between the kept balances and the entries and holds, every unbalanced
    transaction, and every hold resolved more than once (or posted without its transaction).

    Reads in a few aggregate queries (no row per entry in Python)."""
    findings: list[Finding] = []
    # S608: table names from the models' metadata; no value comes from outside.
    for account_id, kept, computed in _rows(
        f"SELECT a.id, a.posted, COALESCE(SUM(CASE WHEN e.side = 'C' THEN e.amount "  # noqa: S608
        f"ELSE -e.amount END), 0) FROM {_A} a LEFT JOIN {_E} e ON e.account_id = a.id "
        f"GROUP BY a.id, a.posted HAVING a.posted <> COALESCE(SUM(CASE WHEN e.side = 'C' "
        f"THEN e.amount ELSE -e.amount END), 0)"
    ):
        findings.append(
            Finding("posted balance", f"account {account_id} keeps {kept}, entries say {computed}")
        )
    for account_id, kept, computed in _rows(
        f"SELECT a.id, a.held, COALESCE(SUM(h.amount), 0) FROM {_A} a "  # noqa: S608
        f"LEFT JOIN {_H} h ON h.account_id = a.id AND h.status = 'pending' "
        f"GROUP BY a.id, a.held HAVING a.held <> COALESCE(SUM(h.amount), 0)"
    ):
        findings.append(
            Finding(
                "held points", f"account {account_id} keeps {kept}, pending holds say {computed}"
            )
        )
    for account_id, available in _rows(
        f"SELECT id, posted - held FROM {_A} WHERE kind = 'wallet' AND posted < held"  # noqa: S608
    ):
        findings.append(Finding("negative wallet", f"account {account_id}: {available} available"))
    for txn_id, debits, credits in _rows(
        f"SELECT transaction_id, SUM(CASE WHEN side = 'D' THEN amount ELSE 0 END), "  # noqa: S608
        f"SUM(CASE WHEN side = 'C' THEN amount ELSE 0 END) FROM {_E} GROUP BY transaction_id "
        f"HAVING SUM(CASE WHEN side = 'D' THEN amount ELSE -amount END) <> 0"
    ):
        findings.append(
            Finding("unbalanced", f"transaction {txn_id}: debits {debits}, credits {credits}")
        )
    ((debits, credits),) = _rows(
        f"SELECT COALESCE(SUM(CASE WHEN side = 'D' THEN amount END), 0), "  # noqa: S608
        f"COALESCE(SUM(CASE WHEN side = 'C' THEN amount END), 0) FROM {_E}"
    )
    if debits != credits:
        findings.append(Finding("totals", f"all debits {debits} <> all credits {credits}"))
    for (txn_id,) in _rows(
        f"SELECT t.id FROM {_T} t LEFT JOIN {_E} e ON e.transaction_id = t.id "  # noqa: S608
        f"WHERE e.id IS NULL"
    ):
        findings.append(Finding("empty transaction", f"transaction {txn_id} has no entries"))
    for hold_id, status in _rows(
        f"SELECT id, status FROM {_H} WHERE (status = 'posted') <> "  # noqa: S608
        f"(resolution_id IS NOT NULL) OR (status = 'pending') <> (resolved_at IS NULL)"
    ):
        findings.append(Finding("hold", f"hold {hold_id} is {status} with a mismatched resolution"))
    return findings
