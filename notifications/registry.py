"""Consumers of domain events, by kind. A consumer runs inside the transaction that marks the
event processed, so it must only write to the database or hand work to ``on_commit``."""

from collections.abc import Callable

from .models import OutboxEvent

Consumer = Callable[[OutboxEvent], None]
_consumers: dict[str, list[Consumer]] = {}


def consumes(*kinds: str) -> Callable[[Consumer], Consumer]:
    def register(func: Consumer) -> Consumer:
        for kind in kinds:
            _consumers.setdefault(kind, []).append(func)
        return func

    return register


def consumers_for(kind: str) -> list[Consumer]:
    return list(_consumers.get(kind, ()))
