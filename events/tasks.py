"""Celery tasks of the event bus: thin, idempotent, ids as arguments.

Each consumer has a task of its own, ``<consumer>.deliver_event`` (built when it registers), so
each has its own queue (route ``<consumer>.*``) and its own retry policy.
"""

from celery import shared_task
from django.utils import timezone

from . import registered, services


def delivery_task(consumer: registered.Consumer):
    """The task that delivers one event to ``consumer`` (a second call returns the same task)."""
    name = consumer.name
    if consumer.task_name in _delivery_tasks:
        return _delivery_tasks[consumer.task_name]

    @shared_task(
        name=consumer.task_name,
        bind=True,
        autoretry_for=(Exception,),
        retry_backoff=True,
        retry_backoff_max=consumer.retry_backoff_max,
        max_retries=consumer.max_retries,
    )
    def deliver_event(self, event_id: int, enqueued_at: float | None = None) -> bool:
        """Process this consumer's delivery of one event. ``enqueued_at`` (Unix time of the
        hand-off) is stamped by the sender. A worker (not an in-process, eager run) also takes
        the consumer's other waiting deliveries, up to its batch, in the same transaction."""
        started_at = timezone.now()
        batch = 1 if self.request.is_eager else registered.get(name).batch
        return services.delivery_process(
            consumer=name,
            event_id=event_id,
            enqueued_at=enqueued_at,
            started_at=started_at,
            batch=batch,
        )

    _delivery_tasks[consumer.task_name] = deliver_event
    return deliver_event


_delivery_tasks: dict = {}


@shared_task(name="events.relay")
def relay(older_than_seconds: int = 30, limit: int = 500) -> int:
    """Hand to each consumer's queue every delivery of it still unprocessed after a while, then
    let each consumer re-queue its own unfinished follow-up work (e.g. fan-out chunks)."""
    count = 0
    for consumer_name, event_id in services.pending_deliveries(
        older_than_seconds=older_than_seconds, limit=limit
    ):
        registered.get(consumer_name).task.delay(event_id, enqueued_at=_now())
        count += 1
    for consumer in registered.all_consumers():
        if consumer.relay is not None:
            count += consumer.relay(older_than_seconds=older_than_seconds, limit=limit)
    return count


def _now() -> float:
    return timezone.now().timestamp()
