"""Notifications' deliveries on a real Celery worker process, the real Redis broker and the real
PostgreSQL test database (see tests/events/worker.py). What the worker did shows in what it
wrote: the delivery's ``processed_at`` and the invitation's scrubbed payload."""

import socket
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from cocreate.celery import app as celery_app
from events.models import Delivery, OutboxEvent
from events.services import event_record
from events.tasks import relay

from ..events.worker import (
    PROCESS_TIMEOUT,
    new_queue,
    require_services,
    routed,
    wait_for,
    worker_process,
)
from .support import CONSUMER
from .test_outbox import invitation_payload

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


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


@pytest.fixture(scope="module")
def worker(django_db_setup, tmp_path_factory):
    require_services()
    queue = new_queue("test-worker")
    log_path = tmp_path_factory.mktemp("worker") / "notifications.log"
    with routed({"notifications.*": queue}), worker_process(queues=[queue], log_path=log_path) as w:
        yield w


def _processed(event_id: int):
    return Delivery.objects.filter(
        event_id=event_id, consumer=CONSUMER, processed_at__isnull=False
    ).first()


def test_worker_processes_an_event_recorded_in_a_committed_transaction(worker):
    with transaction.atomic():
        event = event_record(kind="invitation.created", payload=invitation_payload())
        event_id = event.pk

    processed = wait_for(lambda: _processed(event_id), PROCESS_TIMEOUT)

    assert processed, f"event {event_id} never processed by the worker:\n{worker.log()}"
    assert processed.attempts == 1
    # The consumer ran in the worker: it sent the email and scrubbed the token it carried.
    assert OutboxEvent.objects.get(pk=event_id).payload["accept_path"] == "[sent]"
    assert "notifications.deliver_event[" in worker.log()


def test_worker_runs_a_task_routed_to_its_queue_and_delivery_twice_books_once(worker):
    event = event_record(kind="invitation.created", payload=invitation_payload())
    task = celery_app.tasks["notifications.deliver_event"]

    task.apply_async((event.pk,), queue=worker.queue)
    task.apply_async((event.pk,), queue=worker.queue)

    # One worker, one task at a time, first in first out: once this later event is processed,
    # both deliveries of the first have run.
    sentinel = event_record(kind="membership.approved", payload={})
    task.apply_async((sentinel.pk,), queue=worker.queue)

    assert wait_for(lambda: _processed(sentinel.pk), PROCESS_TIMEOUT), worker.log()
    processed = _processed(event.pk)
    assert processed, worker.log()
    assert processed.attempts == 1  # the second delivery found it processed and did nothing
    assert OutboxEvent.objects.get(pk=event.pk).payload["accept_path"] == "[sent]"


def test_event_missed_by_a_down_broker_is_delivered_by_the_relay(worker):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        with _broker(f"redis://127.0.0.1:{closed.getsockname()[1]}/0"), transaction.atomic():
            event = event_record(kind="invitation.created", payload=invitation_payload())
            # The request that recorded it succeeded; the hand-off failed and was only logged.

    # The worker is up on the real broker, yet nothing was sent to it.
    time.sleep(2)
    assert _processed(event.pk) is None

    Delivery.objects.filter(event=event).update(created_at=timezone.now() - timedelta(minutes=1))
    assert relay(older_than_seconds=30) == 1

    processed = wait_for(lambda: _processed(event.pk), PROCESS_TIMEOUT)
    assert processed, f"relayed event never processed:\n{worker.log()}"
    assert OutboxEvent.objects.get(pk=event.pk).payload["accept_path"] == "[sent]"
    assert processed.attempts == 2  # one relay pass, one processing
