"""The consumers registered so far (``registry.register`` adds them): what each consumer is,
and which consumers want events of a kind. The services and tasks read them here; registering,
which builds each consumer's task, is ``registry``'s, above the tasks."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import OutboxEvent

Handler = Callable[["OutboxEvent"], None]
BatchHandler = Callable[[list["OutboxEvent"]], None]


@dataclass(frozen=True)
class Consumer:
    name: str
    kinds: frozenset[str]
    handle: Handler
    max_retries: int = 8
    retry_backoff_max: int = 300
    # Deliveries of this consumer one task may take on at once when they have queued up.
    batch: int = 20
    # Optional: the same as ``handle`` on each event, for several at once (fewer round trips).
    handle_batch: BatchHandler | None = field(default=None, compare=False)
    # Re-queues the consumer's own unfinished follow-up work (``events.relay`` calls it).
    relay: Callable[..., int] | None = field(default=None, compare=False)
    task: Any = field(default=None, compare=False, repr=False)

    @property
    def task_name(self) -> str:
        return f"{self.name}.deliver_event"


_consumers: dict[str, Consumer] = {}
_by_kind: dict[str, tuple[Consumer, ...]] = {}


def _index() -> None:
    by_kind: dict[str, list[Consumer]] = {}
    for consumer in _consumers.values():
        for kind in consumer.kinds:
            by_kind.setdefault(kind, []).append(consumer)
    _by_kind.clear()
    _by_kind.update({kind: tuple(found) for kind, found in by_kind.items()})


def put(consumer: Consumer) -> None:
    """Add ``consumer`` to the table, or replace the one of the same name."""
    _consumers[consumer.name] = consumer
    _index()


def remove(name: str) -> None:
    _consumers.pop(name, None)
    _index()


def consumers_for(kind: str) -> tuple[Consumer, ...]:
    """The consumers that want events of ``kind`` (none: the event is only recorded)."""
    return _by_kind.get(kind, ())


def get(name: str) -> Consumer:
    return _consumers[name]


def all_consumers() -> list[Consumer]:
    return list(_consumers.values())
