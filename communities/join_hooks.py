"""What joining asks of the apps above communities: the narrow interface through which the join
form shows a community's consent purposes and the join service records the answers, without
communities importing ``trust`` (which sits above it).

- ``questions(community)``: what a newcomer answers when joining — each a purpose in plain
  words, required or optional (the form never pre-ticks one).
- ``record(user=, community=, granted=, channel=)``: called by the join service inside its
  transaction, so membership and consent commit together; it raises ``ValidationError`` (on
  ``consents``) when a required purpose is missing, which rolls the join back.

``trust`` registers both in ``TrustConfig.ready()``. With nothing registered there is nothing to
ask and nothing to record.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class JoinQuestion:
    """One purpose as the join form shows it."""

    key: str
    title: str
    summary: str
    text: str
    required: bool


class Questions(Protocol):
    def __call__(self, community: Any) -> list[JoinQuestion]: ...


class Record(Protocol):
    def __call__(
        self, *, user: Any, community: Any, granted: Iterable[str], channel: str
    ) -> None: ...


def _no_questions(community: Any) -> list[JoinQuestion]:
    return []


def _record_nothing(*, user: Any, community: Any, granted: Iterable[str], channel: str) -> None:
    """Without a consent app nothing is recorded."""


_questions: Questions = _no_questions
_record: Record = _record_nothing


def register(*, questions: Questions, record: Record) -> None:
    """Install the consent app's answers. Call from an ``AppConfig.ready()`` above communities."""
    global _questions, _record
    _questions, _record = questions, record


def questions(community: Any) -> list[JoinQuestion]:
    """What joining ``community`` asks, in display order."""
    return _questions(community)


def record(*, user: Any, community: Any, granted: Iterable[str], channel: str = "join") -> None:
    """Record the answers given with a join; call inside the join's transaction."""
    _record(user=user, community=community, granted=granted, channel=channel)
