"""Impact reminders: "what your knowledge did". For one member and one period, the
contributions of theirs that moved forward, the official responses they received and the
supports they gained; shown on a page and sent as a periodic reminder (topic "impact").

This module holds the report's shape and the rules of the period; the reads are in
``selectors`` (``impact_report``, ``impact_recipients``) and the write in ``services``
(``impact_reminder_send``)."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils.translation import ngettext

from knowledge.models import Contribution

from .models import Channel

PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
LIST_LIMIT = 50  # per section; the page and email say how many more there were


def forward_statuses() -> list[str]:
    S = Contribution.Status
    return [S.UNDER_REVIEW, S.ACCEPTED, S.IN_DEVELOPMENT, S.SHIPPED, S.MERGED]


@dataclass
class ImpactReport:
    since: datetime
    until: datetime
    moves: list = field(default_factory=list)  # StatusChange, contribution loaded
    official: list = field(default_factory=list)  # Comment, contribution and author loaded
    supported: list = field(default_factory=list)  # Contribution with .gained
    supports_gained: int = 0
    totals: dict = field(default_factory=dict)
    # What the member did themselves: their contributions submitted in the period. Shown on the
    # page, so a fresh idea is there at once; not impact, so no reminder is sent for it alone.
    shared: list = field(default_factory=list)  # Contribution, community loaded

    @property
    def is_empty(self) -> bool:
        """Nothing happened to the member's knowledge (what a reminder would be about)."""
        return not (self.moves or self.official or self.supports_gained)

    @property
    def is_quiet(self) -> bool:
        """Nothing to show at all: no impact, and the member shared nothing in the period."""
        return self.is_empty and not self.shared

    def summary(self) -> str:
        parts = []
        if self.moves:
            parts.append(
                ngettext(
                    "%(n)d contribution moved forward",
                    "%(n)d contributions moved forward",
                    len(self.moves),
                )
                % {"n": len(self.moves)}
            )
        if self.official:
            parts.append(
                ngettext("%(n)d official response", "%(n)d official responses", len(self.official))
                % {"n": len(self.official)}
            )
        if self.supports_gained:
            parts.append(
                ngettext("%(n)d new support", "%(n)d new supports", self.supports_gained)
                % {"n": self.supports_gained}
            )
        return ", ".join(parts)


def impact_frequency(channel: str) -> str | None:
    """How often a member hears about their impact: "off" never, "daily" daily, anything else
    weekly (a reminder is periodic by nature; "email" and "in_app" only choose the channel)."""
    if channel == Channel.OFF:
        return None
    return "daily" if channel == Channel.DAILY else "weekly"
