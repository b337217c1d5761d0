"""``kill -9`` of a worker while both consumers are mid-delivery loses nothing, duplicates
nothing and re-runs nothing that was done: real Celery worker processes (prefork, two
children), the real Redis broker and the real PostgreSQL test database.

To kill the worker mid-delivery every time, not by luck of timing, the test holds a row lock on
one user from a connection of its own, and records an event whose handlers (both consumers'; see
consumers.py) wait for that lock: each child process is then stuck inside one consumer's
delivery transaction, while every earlier event is done. The worker is killed right then.

- whole process group killed: nobody gives the messages back (Redis would only after its
  visibility timeout, an hour), so the relay re-queues each consumer's unprocessed delivery,
  and only that: the events both consumers had processed are not touched again;
- only the child processes killed: with acks_late and reject_on_worker_lost the parent puts both
  messages back at once, and each consumer's delivery finishes with no relay at all.
"""

import os
import signal
import time
from contextlib import contextmanager

import psycopg2
import pytest
from django.db import connection, transaction

from cocreate.celery import app as celery_app
from events.models import Delivery
from events.services import event_record
from events.tasks import relay

from ..factories import UserFactory
from .consumers import FLAKY, HEALTHY, KIND, runs
from .worker import (
    backends_waiting_on_a_lock,
    children,
    group_alive,
    new_queue,
    other_backends,
    require_services,
    routed,
    wait_for,
    worker_process,
)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

BEFORE = 6  # events delivered before the stuck one
FINISH_TIMEOUT = 60
CONSUMERS = (HEALTHY, FLAKY)


@pytest.fixture
def queues(two_consumers):
    """A queue of this test's own per consumer (the relay on the healthy one's)."""
    require_services()
    routes = {
        f"{HEALTHY}.*": new_queue("test-crash-healthy"),
        f"{FLAKY}.*": new_queue("test-crash-flaky"),
    }
    routes["events.*"] = routes[f"{HEALTHY}.*"]
    with routed(routes):
        yield routes


@contextmanager
def workers(routes: dict[str, str], tmp_path, label: str):
    with worker_process(
        queues=sorted(set(routes.values())),
        log_path=tmp_path / f"{label}.log",
        routes=routes,
        settings_module="tests.events.worker_settings",
        pool="prefork",
        concurrency=2,
    ) as worker:
        yield worker


@contextmanager
def user_row_locked(user_id: int):
    """Hold ``FOR UPDATE`` on one user row from a connection of the test's own until the block
    ends (then roll back)."""
    db = connection.settings_dict
    conn = psycopg2.connect(
        dbname=db["NAME"],
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or None,
    )
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT id FROM accounts_user WHERE id = %s FOR UPDATE", [user_id])
        yield
    finally:
        conn.rollback()
        conn.close()


def _record(payload: dict) -> int:
    with transaction.atomic():
        return event_record(kind=KIND, payload=payload).pk


def _processed(event_ids: list[int]):
    return Delivery.objects.filter(event_id__in=event_ids, processed_at__isnull=False)


def _idle(worker) -> bool:
    """Nothing waits in the worker's queues and nothing runs or waits in the worker itself."""
    with celery_app.connection_for_write() as conn:
        client = conn.default_channel.client
        if any(client.llen(queue) for queue in worker.queues):
            return False
    inspect = celery_app.control.inspect(destination=[worker.name], timeout=1)
    active, reserved = inspect.active() or {}, inspect.reserved() or {}
    return worker.name in active and not any(active.values()) and not any(reserved.values())


def _deliver_some_then_get_stuck(worker, held_user_id: int) -> tuple[list[int], int]:
    """Deliver BEFORE events to both consumers, then record one that both get stuck in."""
    done = [_record({"n": n}) for n in range(BEFORE)]
    assert wait_for(lambda: _processed(done).count() == 2 * BEFORE, FINISH_TIMEOUT), worker.log()
    # A delivery processed as a batch-mate of another still has its own message to come; a
    # task of that message would take the stuck delivery as its batch-mate and leave the stuck
    # event's own messages in the queue, for the next worker. Wait until every message is done.
    assert wait_for(lambda: _idle(worker), FINISH_TIMEOUT, 0.2), worker.log()
    stuck = _record({"hold_user_id": held_user_id})
    assert wait_for(lambda: backends_waiting_on_a_lock() >= 2, FINISH_TIMEOUT), worker.log()
    return done, stuck


def _assert_done_once(done: list[int], stuck: int, stuck_attempts: int) -> None:
    for consumer in CONSUMERS:
        for event_id in done:
            delivery = Delivery.objects.get(event_id=event_id, consumer=consumer)
            assert delivery.attempts == 1, (consumer, event_id)
            assert runs(consumer, event_id) == 1, (consumer, event_id)
        delivery = Delivery.objects.get(event_id=stuck, consumer=consumer)
        assert delivery.processed_at is not None, consumer
        assert delivery.attempts == stuck_attempts, consumer
        assert runs(consumer, stuck) == 1, consumer  # the killed runs never got past the hold


def test_kill_9_of_the_whole_worker_mid_delivery_relays_each_consumer_only_what_it_missed(
    queues, tmp_path
):
    held = UserFactory()
    before_workers = other_backends()

    with user_row_locked(held.pk), workers(queues, tmp_path, "first") as first:
        done, stuck = _deliver_some_then_get_stuck(first, held.pk)
        os.killpg(first.process.pid, signal.SIGKILL)
        first.process.wait(timeout=10)
        assert wait_for(lambda: not group_alive(first.process.pid), 10), "group survived"

    # The lock is released; the dead worker's sessions, no longer waiting, end uncommitted.
    assert wait_for(lambda: other_backends() <= before_workers, 30), "killed sessions linger"
    assert not _processed([stuck]).exists()

    with workers(queues, tmp_path, "second") as second:
        time.sleep(2)
        # Nobody gave the killed tasks back to the queue: a new worker alone finishes nothing.
        assert not _processed([stuck]).exists(), second.log()
        # What beat does every 30 s (here without waiting for the deliveries to age).
        relay.apply_async(kwargs={"older_than_seconds": 0})
        assert wait_for(lambda: _processed([stuck]).count() == 2, FINISH_TIMEOUT), second.log()

    _assert_done_once(done, stuck, stuck_attempts=2)  # one relay hand-off, one processing


def test_kill_9_of_the_worker_processes_mid_delivery_requeues_both_consumers_tasks(
    queues, tmp_path
):
    held = UserFactory()

    with workers(queues, tmp_path, "parent") as worker:
        with user_row_locked(held.pk):
            done, stuck = _deliver_some_then_get_stuck(worker, held.pk)
            killed = children(worker.process.pid)
            assert len(killed) == 2, killed
            for child in killed:
                os.kill(child, signal.SIGKILL)
            # The parent replaces them and takes both returned tasks again; they wait again.
            assert wait_for(
                lambda: (
                    worker.log_path.read_text(errors="replace").count("WorkerLostError") >= 2
                    and set(children(worker.process.pid)).isdisjoint(killed)
                    and backends_waiting_on_a_lock() >= 2
                ),
                FINISH_TIMEOUT,
            ), worker.log()
            assert not _processed([stuck]).exists()

        assert wait_for(lambda: _processed([stuck]).count() == 2, FINISH_TIMEOUT), worker.log()

    _assert_done_once(done, stuck, stuck_attempts=1)  # nothing relayed
