"""The incentives app's models, one module per resource; re-exported here."""

from .ledger import Account, Entry, Hold, Transaction

__all__ = ["Account", "Entry", "Hold", "Transaction"]
