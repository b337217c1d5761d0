"""Contributions as lists show them: cards built from plain rows, never model instances."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from accounts.models import public_name

from .models import Contribution, Kind


class _Named(NamedTuple):
    """An author or a challenge as a card reads it: one value."""

    public_name: str = ""
    title: str = ""


_KIND_LABELS = dict(Kind.choices)
_STATUS_LABELS = dict(Contribution.Status.choices)


@dataclass(frozen=True, slots=True)
class ContributionCard:
    """What a contribution's card shows (the feed's ``knowledge/_item.html``, the home's
    ``knowledge/home/_idea.html``): exactly a feed row's values, read as the template reads a
    contribution (no model instances: a page holds twenty, and building
    one contribution, author and challenge each cost more than the rest of its card)."""

    pk: int
    kind: str
    status: str
    title: str
    challenge_id: int | None
    challenge: _Named | None
    author: _Named
    submitted_at: datetime | None
    created_at: datetime
    tags: tuple[str, ...]
    support_count: int
    comment_count: int
    viewer_supports: bool

    def get_kind_display(self) -> str:
        return str(_KIND_LABELS.get(self.kind, self.kind))

    def get_status_display(self) -> str:
        return str(_STATUS_LABELS.get(self.status, self.status))


def card(row: Mapping[str, Any]) -> ContributionCard:
    """The card of a feed row: a dict of ``selectors.FEED_ROW_FIELDS`` (the home's lists) or
    of ``selectors.SUMMARY_FIELDS`` (the feed's page, ``selectors.feed_summary_rows``)."""
    challenge_id = row["challenge_id"]
    return ContributionCard(
        pk=row["id"],
        kind=row["kind"],
        status=row["status"],
        title=row["title"],
        challenge_id=challenge_id,
        challenge=None if challenge_id is None else _Named(title=row["challenge__title"]),
        author=_Named(public_name=public_name(row["author_id"], row["author__display_name"] or "")),
        submitted_at=row["submitted_at"],
        created_at=row["created_at"],
        tags=tuple(row["tags"] or ()),
        support_count=row["support_count"],
        comment_count=row["comment_count"],
        viewer_supports=bool(row["viewer_supports"]),
    )
