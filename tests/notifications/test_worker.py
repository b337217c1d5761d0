"""A real Celery worker process, the real Redis broker and the real PostgreSQL test database.

The worker runs in its own process with its own connections, so the only way the test can see
it worked is what it wrote to the database: the event's ``processed_at`` and its scrubbed payload.
Each test run uses a queue of its own, so parallel runs and other workers never take its tasks.
"""

import os
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from cocreate.celery import app as celery_app
from notifications import services
from notifications.models import OutboxEvent
from notifications.tasks import deliver_event, relay_outbox

from ..conftest import require_or_skip, uses_postgres
from .test_outbox import invitation_payload

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

READY_TIMEOUT = 60
PROCESS_TIMEOUT = 30


def _test_database_url() -> str:
    """The URL of the database pytest created (test_<name>), for the worker's DATABASE_URL."""
    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{quote(db['NAME'], safe='')}"


def _wait_for(predicate, timeout: float, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


@contextmanager
def _broker(url: str):
    """Point this process's Celery app at another broker, then back (drops pooled connections)."""
    original = celery_app.conf.broker_url
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    try:
        yield
    finally:
        celery_app.conf.broker_url = original
        celery_app._pool = None
        celery_app.amqp._producer_pool = None


class Worker:
    def __init__(self, process: subprocess.Popen, name: str, queue: str, log_path):
        self.process = process
        self.name = name
        self.queue = queue
        self.log_path = log_path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-6000:]

    def ping(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"worker exited with {self.process.returncode}:\n{self.log()}")
        replies = celery_app.control.ping(destination=[self.name], timeout=0.5)
        return any(self.name in reply for reply in replies)


@pytest.fixture(scope="module")
def worker(django_db_setup, tmp_path_factory):
    require_or_skip(uses_postgres(), "the worker test needs DATABASE_URL=postgres://...")
    require_or_skip(bool(settings.REDIS_URL), "the worker test needs REDIS_URL")

    queue = f"test-worker-{uuid.uuid4().hex[:12]}"
    name = f"{queue}@localhost"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cocreate.settings.test",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "PYTHONUNBUFFERED": "1",
    }
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "cocreate",
                "worker",
                "-P",
                "solo",
                "--concurrency=1",
                "-Q",
                queue,
                "-n",
                name,
                "--without-gossip",
                "--without-mingle",
                "-l",
                "INFO",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    routes, eager = celery_app.conf.task_routes, celery_app.conf.task_always_eager
    # Tests force eager tasks; this test wants .delay() to go through Redis, to its own queue.
    celery_app.conf.task_always_eager = False
    celery_app.conf.update(task_routes={"notifications.*": {"queue": queue}})
    w = Worker(process, name, queue, log_path)
    try:
        assert _wait_for(w.ping, READY_TIMEOUT, 0.5), f"worker never answered:\n{w.log()}"
        yield w
    finally:
        celery_app.conf.task_always_eager = eager
        celery_app.conf.update(task_routes=routes)
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        # Leave nothing behind in the broker: the queue is this run's alone.
        with celery_app.connection_for_write() as conn:
            conn.default_channel.client.delete(queue)


def _processed(event_id: int):
    return OutboxEvent.objects.filter(pk=event_id, processed_at__isnull=False).first()


def test_worker_processes_an_event_recorded_in_a_committed_transaction(worker):
    with transaction.atomic():
        event = services.event_record(kind="invitation.created", payload=invitation_payload())
        event_id = event.pk

    processed = _wait_for(lambda: _processed(event_id), PROCESS_TIMEOUT)

    assert processed, f"event {event_id} never processed by the worker:\n{worker.log()}"
    assert processed.attempts == 1
    # The consumer ran in the worker: it sent the email and scrubbed the token it carried.
    assert processed.payload["accept_path"] == "[sent]"
    assert "notifications.deliver_event[" in worker.log()


def test_worker_runs_a_task_routed_to_its_queue_and_delivery_twice_books_once(worker):
    event = OutboxEvent.objects.create(kind="invitation.created", payload=invitation_payload())

    deliver_event.apply_async((event.pk,), queue=worker.queue)
    deliver_event.apply_async((event.pk,), queue=worker.queue)

    # One worker, one task at a time, first in first out: once this later event is processed,
    # both deliveries of the first have run.
    sentinel = OutboxEvent.objects.create(kind="ops.sentinel", payload={})
    deliver_event.apply_async((sentinel.pk,), queue=worker.queue)

    assert _wait_for(lambda: _processed(sentinel.pk), PROCESS_TIMEOUT), worker.log()
    processed = _processed(event.pk)
    assert processed, worker.log()
    assert processed.attempts == 1  # the second delivery found it processed and did nothing
    assert processed.payload["accept_path"] == "[sent]"


def test_event_missed_by_a_down_broker_is_delivered_by_the_relay(worker):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        with _broker(f"redis://127.0.0.1:{closed.getsockname()[1]}/0"), transaction.atomic():
            event = services.event_record(kind="invitation.created", payload=invitation_payload())
            # The request that recorded it succeeded; the hand-off failed and was only logged.

    # The worker is up on the real broker, yet nothing was sent to it.
    time.sleep(2)
    event.refresh_from_db()
    assert event.processed_at is None

    OutboxEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - timedelta(minutes=1))
    assert relay_outbox(older_than_seconds=30) == 1

    processed = _wait_for(lambda: _processed(event.pk), PROCESS_TIMEOUT)
    assert processed, f"relayed event never processed:\n{worker.log()}"
    assert processed.payload["accept_path"] == "[sent]"
    assert processed.attempts == 2  # one relay pass, one processing


def test_worker_runs_with_the_project_celery_settings(worker):
    replies = celery_app.control.inspect(destination=[worker.name], timeout=5).conf()
    assert replies and worker.name in replies, worker.log()
    conf = replies[worker.name]

    assert conf["CELERY_TASK_ACKS_LATE"] is True
    assert conf["CELERY_TASK_REJECT_ON_WORKER_LOST"] is True
    assert conf["CELERY_WORKER_PREFETCH_MULTIPLIER"] == 1
    assert conf["CELERY_TASK_SERIALIZER"] == "json"
    assert conf["CELERY_ACCEPT_CONTENT"] == ["json"]
    assert conf["CELERY_DB_REUSE_MAX"] == settings.CELERY_DB_REUSE_MAX
    assert conf["DATABASES"]["default"]["NAME"] == connection.settings_dict["NAME"]


def _worker_backend_pids() -> set[int]:
    """Postgres backends connected to the test database, other than this test's own."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        return {row[0] for row in cursor.fetchall()}


def test_worker_keeps_its_database_connection_between_tasks(worker):
    """CELERY_DB_REUSE_MAX in effect: Celery's fixup would otherwise close it after each task."""
    pids = []
    for n in range(3):
        event = OutboxEvent.objects.create(kind="ops.reuse", payload={"n": n})
        deliver_event.apply_async((event.pk,), queue=worker.queue)
        assert _wait_for(lambda e=event: _processed(e.pk), PROCESS_TIMEOUT), worker.log()
        pids.append(_worker_backend_pids())

    # Other tests of this session may hold idle connections too; what matters is that the
    # tasks opened none: a connection closed after each task would show a new pid each time.
    assert all(pids), pids  # the worker's connection is still open after each task
    assert pids[0] == pids[1] == pids[2], pids  # and no task opened a new one
