"""Reads of the trust app, one module per resource, re-exported here: ``export`` (a member's
data exports) and ``consent`` (purposes, consent state and history, restrictions and uses)."""

from .consent import (
    CommunityConsent,
    PurposeAnswer,
    PurposeUse,
    awaiting_answers,
    community_purposes,
    community_refusals,
    community_uses,
    consent_history,
    consent_overview,
    contribution_purposes,
    live_purposes,
    my_restrictions,
    usable_contributions,
    usable_for,
    uses_of_contribution,
    uses_of_mine,
)
from .export import (
    EXPORT_LIST_LIMIT,
    export_for_download,
    export_of,
    exports_of,
)

__all__ = [
    "CommunityConsent",
    "EXPORT_LIST_LIMIT",
    "PurposeAnswer",
    "PurposeUse",
    "awaiting_answers",
    "community_purposes",
    "community_refusals",
    "community_uses",
    "consent_history",
    "consent_overview",
    "contribution_purposes",
    "export_for_download",
    "export_of",
    "exports_of",
    "live_purposes",
    "my_restrictions",
    "usable_contributions",
    "usable_for",
    "uses_of_contribution",
    "uses_of_mine",
]
