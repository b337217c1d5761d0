"""The consumer registry: who wants which event kinds.

A consumer (notifications; bookkeeping, usage transparency and webhooks next) registers once, at
start-up (its app's ``ready``), with the kinds it wants and a handler. Registering gives it:

- its own delivery row per event of those kinds (``events.models.Delivery``), written with the
  event, so its progress, attempts and last error are its own;
- its own Celery task, ``<name>.deliver_event``: route ``<name>.*`` to the consumer's queue
  (``CELERY_TASK_ROUTES``), so its backlog never delays another consumer;
- its own retry policy on that task: a failure re-runs only this consumer's handler.

A handler runs inside the transaction that marks the delivery processed, so it must only write
to the database or hand work to ``transaction.on_commit``; it must be idempotent for its own
side effects outside the database (at-least-once delivery).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
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


def register(
    name: str,
    *,
    kinds: Iterable[str],
    handle: Handler,
    max_retries: int = 8,
    retry_backoff_max: int = 300,
    batch: int = 20,
    handle_batch: BatchHandler | None = None,
    relay: Callable[..., int] | None = None,
) -> Consumer:
    """Register (or replace) the consumer ``name`` for ``kinds``; returns it, with its task.

    ``relay(*, older_than_seconds, limit) -> int``, if given, re-queues the consumer's own
    follow-up work that a dead worker left unfinished; ``events.relay`` calls it every pass.
    ``handle_batch(events)``, if given, must do what ``handle`` does on each event; a worker's
    batch uses it, and falls back to ``handle`` per event (a savepoint each) if it fails.
    The task's retry policy is fixed when the name is first registered."""
    # The task module imports the services, which read this registry: built here, not on import.
    from .tasks import delivery_task  # noqa: PLC0415

    consumer = Consumer(
        name=name,
        kinds=frozenset(kinds),
        handle=handle,
        max_retries=max_retries,
        retry_backoff_max=retry_backoff_max,
        batch=batch,
        handle_batch=handle_batch,
        relay=relay,
    )
    consumer = replace(consumer, task=delivery_task(consumer))
    _consumers[name] = consumer
    _index()
    return consumer


def unregister(name: str) -> None:
    _consumers.pop(name, None)
    _index()


def consumers_for(kind: str) -> tuple[Consumer, ...]:
    """The consumers that want events of ``kind`` (none: the event is only recorded)."""
    return _by_kind.get(kind, ())


def get(name: str) -> Consumer:
    return _consumers[name]


def all_consumers() -> list[Consumer]:
    return list(_consumers.values())
