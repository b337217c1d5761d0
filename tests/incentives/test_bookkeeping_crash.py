"""``kill -9`` of the bookkeeping worker, five times, while 1,000 events arrive to be booked (each
kill a random 0-50 ms after a commit of 50 events, so often while the worker books them): every
event is booked exactly once (0 lost, 0 doubled) and ``ledger_check`` is clean. Real Celery
worker processes (prefork, two children) on a bookkeeping queue of their own, the real Redis
broker and the real PostgreSQL test database.

What carries the guarantee: each event's delivery to the bookkeeping consumer is a row written
with the event; the handler books inside the transaction that marks the delivery processed, under
a key naming what it rewards, so a re-run after a kill books nothing twice; nobody gives a killed
worker's messages back (Redis would, after an hour), so the relay (beat's ``events.relay``, here
called directly) re-queues the deliveries still unprocessed.
"""

import os
import random
import signal
import time

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count

from events.models import Delivery
from events.services import event_record
from events.tasks import relay
from incentives.bookkeeping import CONSUMER
from incentives.models import Account, Transaction
from incentives.services.rules import rules_publish

from ..events.worker import (
    group_alive,
    new_queue,
    require_services,
    routed,
    wait_for,
    worker_process,
)
from ..factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

EVENTS = 1000
KILLS = 5
MEMBERS = 10
FINISH_TIMEOUT = 120


@pytest.fixture
def queues():
    require_services()
    book, other = new_queue("test-book-crash"), new_queue("test-book-crash-other")
    # Bookkeeping and the relay on the worker's queue; the other consumers' tasks to a queue
    # nobody reads (and that the test forgets afterwards).
    with routed({"bookkeeping.*": book, "events.*": book, "*": other}):
        yield book, other


def _processed() -> int:
    return Delivery.objects.filter(consumer=CONSUMER, processed_at__isnull=False).count()


def test_kill_9_of_the_bookkeeping_worker_books_every_event_exactly_once(queues, tmp_path):
    book, other = queues
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    community = CommunityFactory()
    manager = UserFactory()
    MembershipFactory(community=community, user=manager, role="manager")
    rules_publish(actor=manager, community=community, submitted=3, daily_cap=100_000)
    members = [UserFactory() for _ in range(MEMBERS)]

    def start(label: str):
        return worker_process(
            queues=[book],
            log_path=tmp_path / f"{label}.log",
            routes={"bookkeeping.*": book, "events.*": book, "*": other},
            settings_module="tests.events.worker_settings",
            pool="prefork",
            concurrency=2,
        )

    # The events come in 20 transactions of 50 while the worker books them; the worker is
    # killed (whole process group) right after 5 of those commits, a random few ms later, and
    # a new one started, while bookings are under way.
    kill_after = set(rng.sample(range(2, 19), KILLS))
    running = start("worker-0")
    worker = running.__enter__()
    kills = []
    try:
        for batch in range(EVENTS // 50):
            with transaction.atomic():
                for n in range(batch * 50, batch * 50 + 50):
                    event_record(
                        kind="contribution.submitted",
                        payload={"contribution_id": 10_000 + n, "title": f"Idea {n}"},
                        actor=members[n % MEMBERS],
                        community_id=community.pk,
                    )
            if batch not in kill_after:
                continue
            time.sleep(rng.uniform(0, 0.05))
            os.killpg(worker.process.pid, signal.SIGKILL)
            worker.process.wait(timeout=10)
            assert wait_for(lambda p=worker.process.pid: not group_alive(p), 10)
            kills.append(_processed())
            running.__exit__(None, None, None)
            running = start(f"worker-{len(kills)}")
            worker = running.__enter__()
            # What beat does every 30 s: hand the killed worker's deliveries over again.
            relay.apply_async(kwargs={"older_than_seconds": 0})
        relay.apply_async(kwargs={"older_than_seconds": 0})
        assert wait_for(lambda: _processed() == EVENTS, FINISH_TIMEOUT, 0.1), (
            f"seed {seed}: {_processed()} of {EVENTS}\n{worker.log()}"
        )
    finally:
        running.__exit__(None, None, None)

    print(f"seed={seed} booked_at_kills={kills}")
    assert all(at < EVENTS for at in kills), (seed, kills)  # each kill before the end
    booked = Transaction.objects.filter(via="bookkeeping")
    assert booked.count() == EVENTS  # 0 lost; the unique key makes a double impossible
    assert booked.values("key").annotate(n=Count("id")).filter(n__gt=1).count() == 0
    wallets = Account.objects.filter(community=community, kind="wallet")
    assert sorted(wallets.values_list("posted", flat=True)) == [3 * EVENTS // MEMBERS] * MEMBERS
    call_command("ledger_check")
