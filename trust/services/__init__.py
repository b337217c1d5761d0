"""Every trust write: purposes and their versions, consent grants and withdrawals, restrictions
and uses. Keyword-only functions; each checks permission, writes in one transaction and records
its domain event there (``events.services.event_record``). Data export and erasure live in
``export`` and ``erasure`` (import the module: ``from trust.services import export``)."""

from .consent import consent_grant, consent_withdraw, consents_on_join
from .purposes import (
    purpose_archive,
    purpose_create,
    purpose_draft_save,
    purpose_publish,
    purpose_update,
)
from .restrictions import restriction_clear, restriction_set
from .usage import UsageRefused, usage_record

__all__ = [
    "UsageRefused",
    "consent_grant",
    "consent_withdraw",
    "consents_on_join",
    "purpose_archive",
    "purpose_create",
    "purpose_draft_save",
    "purpose_publish",
    "purpose_update",
    "restriction_clear",
    "restriction_set",
    "usage_record",
]
