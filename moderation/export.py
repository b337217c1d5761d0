"""The moderation log as CSV: every matching row, streamed, safe to open in a spreadsheet."""

import csv
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from .models import ModerationAction

HEADER = ["when", "actor", "kind", "target", "subject", "reason", "until", "reverses"]
# A cell a spreadsheet would read as a formula (CSV injection) starts with one of these.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """The cell's text, with a leading apostrophe when a spreadsheet would run it."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _target(action: ModerationAction) -> str:
    if action.contribution_id:
        return f"contribution #{action.contribution_id}"
    if action.comment_id:
        return f"comment #{action.comment_id}"
    return "member"


def log_rows(actions: QuerySet[ModerationAction]) -> Iterator[list[str]]:
    """The header, then one row per action, oldest first; reads the log in chunks."""
    yield HEADER
    qs = actions.select_related("actor", "subject").order_by("created_at", "id")
    for action in qs.iterator(chunk_size=500):
        yield [
            neutralise(cell)
            for cell in (
                action.created_at.isoformat(),
                action.actor.public_name,
                action.kind,
                _target(action),
                action.subject.public_name,
                action.reason,
                action.until.isoformat() if action.until else "",
                action.reverses_id or "",
            )
        ]


class _Echo:
    """A file-like object whose write returns the line, for a streaming response."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list[str]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow(row)
