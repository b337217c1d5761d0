"""The trust app's models, one module per resource (consent, usage, export); each module's
models are re-exported here so Django and the rest of the app import them from ``trust.models``."""

from .consent import (
    Channel,
    ConsentEvent,
    ConsentPurpose,
    ConsentState,
    PurposeVersion,
    text_sha256,
)
from .export import DataExport, Erasure
from .usage import (
    ContributionRestriction,
    RestrictionEvent,
    UsageRecord,
    UsageRefusal,
)

__all__ = [
    "DataExport",
    "Erasure",
    "Channel",
    "ConsentEvent",
    "ConsentPurpose",
    "ConsentState",
    "ContributionRestriction",
    "PurposeVersion",
    "RestrictionEvent",
    "UsageRecord",
    "UsageRefusal",
    "text_sha256",
]
