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
from dataclasses import replace

from . import registered
from .registered import BatchHandler, Consumer, Handler, all_consumers, consumers_for, get
from .tasks import delivery_task

__all__ = [
    "BatchHandler",
    "Consumer",
    "Handler",
    "all_consumers",
    "consumers_for",
    "get",
    "register",
    "unregister",
]


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
    registered.put(consumer)
    return consumer


def unregister(name: str) -> None:
    registered.remove(name)
