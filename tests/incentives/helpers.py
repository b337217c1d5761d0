"""A community with a few wallets and the system accounts, for ledger tests."""

from dataclasses import dataclass

from incentives.models import Account
from incentives.services.ledger import system_account, transfer, wallet_for

from ..factories import CommunityFactory, UserFactory


@dataclass
class Books:
    community: object
    issuance: Account
    clearing: Account
    wallets: list[Account]


def open_books(members: int = 3) -> Books:
    community = CommunityFactory()
    return Books(
        community=community,
        issuance=system_account(community=community, kind=Account.Kind.ISSUANCE),
        clearing=system_account(community=community, kind=Account.Kind.CLEARING),
        wallets=[wallet_for(community=community, user=UserFactory()) for _ in range(members)],
    )


def earn(books: Books, wallet: Account, amount: int, key: str):
    """Points issued to a member, as the bookkeeping would book them."""
    return transfer(
        key=key,
        debit=books.issuance,
        credit=wallet,
        amount=amount,
        memo="earned",
        via="test",
    )
