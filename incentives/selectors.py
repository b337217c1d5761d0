"""Reads of the incentives app: a member's wallet and its history, the rules in force.

Each selector authorizes as it fetches (``incentives.view_wallet``: a member of the
community sees their own wallet; nobody reads another member's)."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from cocreate.permissions import require
from communities.models import Community

from .models import Account, EarningRules, Entry
from .services.rules import current_rules

HISTORY_ORDER = ("-id",)


@dataclass(frozen=True)
class Balance:
    """What a member has in a community: posted, held by pending redemptions, available."""

    posted: int
    held: int

    @property
    def available(self) -> int:
        return self.posted - self.held


def wallet_of(*, user: Any, community: Community) -> Account | None:
    """The member's wallet (None before their first points); one indexed row, O(1)."""
    require(user, "incentives.view_wallet", community)
    return Account.objects.filter(community=community, owner=user, kind=Account.Kind.WALLET).first()


def balance_of(*, user: Any, community: Community) -> Balance:
    return balance_in(wallet_of(user=user, community=community))


def balance_in(wallet: Account | None) -> Balance:
    """The balance of a wallet ``wallet_of`` answered (None: no points yet)."""
    return Balance(wallet.posted, wallet.held) if wallet else Balance(0, 0)


def history(*, user: Any, community: Community) -> QuerySet[Entry]:
    """The member's entries, newest first (paginate by ``HISTORY_ORDER``), each with its
    transaction's memo, cause and time; one query per page whatever the wallet's size (the
    (account, -id) index)."""
    return history_of(wallet_of(user=user, community=community))


def history_of(wallet: Account | None) -> QuerySet[Entry]:
    """``history`` of a wallet ``wallet_of`` answered (the wallet page reads it once)."""
    if wallet is None:
        return Entry.objects.none()
    return (
        Entry.objects.filter(account=wallet)
        .select_related("transaction")
        .only(
            "id",
            "side",
            "amount",
            "transaction__memo",
            "transaction__key",
            "transaction__created_at",
            "transaction__reverses_id",
        )
    )


def contribution_of(entry: Entry) -> int | None:
    """The contribution an entry was earned for (from its booking key), if any."""
    key = entry.transaction.key
    if key.startswith("contribution:"):
        return int(key.split(":")[1])
    return None


def rules_in_force(*, community: Community) -> EarningRules | None:
    return current_rules(community.pk)


def rules_versions(*, user: Any, community: Community) -> QuerySet[EarningRules]:
    """Every version, newest first (managers)."""
    require(user, "incentives.manage_rules", community)
    return EarningRules.objects.filter(community=community).select_related("published_by")
