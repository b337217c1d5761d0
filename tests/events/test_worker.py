"""The event bus on a real Celery worker process with two consumers, each on a queue of its own:
the project's Celery settings reach the worker, the worker keeps its database connection, and a
consumer that fails on every event retries on its own while the healthy one delivers everything
once (see worker.py for the set-up)."""

import pytest
from django.conf import settings
from django.db import connection, transaction

from cocreate.celery import app as celery_app
from events.models import Delivery
from events.services import event_record

from . import consumers
from .consumers import FLAKY, HEALTHY, KIND, runs
from .worker import (
    PROCESS_TIMEOUT,
    new_queue,
    other_backends,
    require_services,
    routed,
    wait_for,
    worker_process,
)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

EVENTS = 20
RETRIES_TIMEOUT = 60


@pytest.fixture(scope="module")
def worker(django_db_setup, tmp_path_factory):
    require_services()
    queues = {f"{HEALTHY}.*": new_queue("test-healthy"), f"{FLAKY}.*": new_queue("test-flaky")}
    log_path = tmp_path_factory.mktemp("worker") / "bus.log"
    consumers.register()
    try:
        with (
            routed(queues),
            worker_process(
                queues=list(queues.values()),
                log_path=log_path,
                routes=queues,
                settings_module="tests.events.worker_settings",
            ) as w,
        ):
            yield w
    finally:
        consumers.unregister()


def _deliveries(consumer: str, event_ids: list[int]):
    return Delivery.objects.filter(consumer=consumer, event_id__in=event_ids)


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


def test_worker_keeps_its_database_connection_between_tasks(worker):
    """CELERY_DB_REUSE_MAX in effect: Celery's fixup would otherwise close it after each task."""
    pids = []
    for n in range(3):
        with transaction.atomic():
            event = event_record(kind=KIND, payload={"n": n})
        done = _deliveries(HEALTHY, [event.pk]).filter(processed_at__isnull=False)
        assert wait_for(done.exists, PROCESS_TIMEOUT), worker.log()
        assert wait_for(
            _deliveries(FLAKY, [event.pk]).filter(processed_at__isnull=False).exists,
            PROCESS_TIMEOUT,
        ), worker.log()
        pids.append(other_backends())

    # Other tests of this session may hold idle connections too; what matters is that the
    # tasks opened none: a connection closed after each task would show a new pid each time.
    assert all(pids), pids  # the worker's connection is still open after each task
    assert pids[0] == pids[1] == pids[2], pids  # and no task opened a new one


def test_a_consumer_failing_on_every_event_retries_on_its_own_and_the_healthy_one_delivers(
    worker,
):
    ids = []
    for n in range(EVENTS):
        with transaction.atomic():
            ids.append(event_record(kind=KIND, payload={"n": n, "fail": True}).pk)

    healthy = _deliveries(HEALTHY, ids)
    assert wait_for(
        lambda: healthy.filter(processed_at__isnull=False).count() == EVENTS, PROCESS_TIMEOUT
    ), worker.log()

    # Each failing delivery is retried by its own task (1 run + 3 retries at least)...
    flaky = _deliveries(FLAKY, ids)
    assert wait_for(lambda: not flaky.filter(attempts__lt=4).exists(), RETRIES_TIMEOUT), (
        list(flaky.values_list("attempts", flat=True)),
        worker.log(),
    )
    # ...and every run of it is on record: its runs and its attempts agree once it gives up.
    assert wait_for(
        lambda: all(runs(FLAKY, d.event_id) == d.attempts for d in flaky.all()), RETRIES_TIMEOUT
    ), worker.log()
    assert not flaky.filter(processed_at__isnull=False).exists()
    assert all("FlakyError: the flaky consumer is down" in d.last_error for d in flaky)
    # (The retries themselves are not logged: settings keep celery.app.trace at WARNING.)
    assert "bustest_flaky.deliver_event[" in worker.log_path.read_text(errors="replace")

    # The healthy consumer delivered everything once and was never run again by those retries.
    assert sorted(healthy.values_list("attempts", flat=True)) == [1] * EVENTS
    assert [runs(HEALTHY, event_id) for event_id in ids] == [1] * EVENTS
    assert not healthy.exclude(last_error="").exists()
