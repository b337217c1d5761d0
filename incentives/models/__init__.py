"""The incentives app's models, one module per resource; re-exported here."""

from .ledger import Account, Entry, Hold, Transaction
from .rules import CAUSES, EarningRules

__all__ = ["CAUSES", "Account", "EarningRules", "Entry", "Hold", "Transaction"]
