"""Incentives: a double-entry points ledger (accounts, transactions, entries, holds), and on top of
it earning rules, rewards, redemptions, badges and leaderboards (issue 13). Sits above
moderation and trust, below notifications."""
