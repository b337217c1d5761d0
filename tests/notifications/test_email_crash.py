"""``kill -9`` of the whole worker, again and again, while an announcement's emails go out: every
member still gets the email, a repeat is rare (at most the emails in flight at each kill) and
carries the Message-ID of the first, and everything has arrived within two relay intervals of
the last kill. Real Celery worker processes (prefork, two children), the real Redis broker, the
real PostgreSQL test database and a real SMTP server (``tests.smtp_sink``) counting messages by
Message-ID.

What carries the guarantee (``notifications.services.outbound``): each email is a row, written
with the notifications; a sender claims a batch (SKIP LOCKED, with a lease) and marks each email
sent right after the server accepted it; the killed worker's claimed rows come back when their
lease ends; and since nobody gives a killed worker's tasks back to the queue (Redis would, after
the visibility timeout, an hour), it is the relays that carry on: the email relay a new worker
queues when it starts, and what beat does, here from a thread, every ``RELAY_INTERVAL`` seconds
(``notifications.relay_emails`` and ``events.relay``).
"""

import os
import random
import signal
import threading
import time
from contextlib import contextmanager

import pytest
from django.db.models import Count

from accounts.models import User
from communities.models import Community, Membership
from events.models import OutboxEvent
from events.tasks import relay as events_relay
from notifications import services
from notifications.models import FanoutChunk, Notification, OutboundEmail
from notifications.tasks import relay_emails

from ..events.worker import (
    group_alive,
    new_queue,
    require_services,
    routed,
    wait_for,
    worker_process,
)
from ..factories import CommunityFactory, MembershipFactory, OrganizationFactory, UserFactory
from ..smtp_sink import SmtpSink

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CROWD = 2000
KILLS = 3
CONCURRENCY = 2  # worker processes
RELAY_INTERVAL = 15.0  # seconds; production runs the relay every 30 s
LEASE = 5.0  # seconds a sender's claim lasts (NOTIFICATIONS_EMAIL_LEASE)
BATCH = 20  # NOTIFICATIONS_EMAIL_BATCH
# Each email is recorded as sent on its own: a process has at most one email in flight.
IN_FLIGHT_PER_KILL = CONCURRENCY


@pytest.fixture
def queue():
    require_services()
    name = new_queue("test-email-crash")
    with routed({"notifications.*": name, "events.*": name}):
        yield name


@contextmanager
def beat(interval: float):
    """What beat does, from a thread: the email relay and the event relay, every ``interval``
    seconds, through the broker to the worker (whichever is alive)."""
    stop = threading.Event()

    def tick() -> None:
        while not stop.wait(interval):
            relay_emails.apply_async()
            events_relay.apply_async(kwargs={"older_than_seconds": interval})

    thread = threading.Thread(target=tick, name="beat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(5)


def _crowd():
    """A community of CROWD members, each wanting announcements by email (the default)."""
    community = CommunityFactory(
        organization=OrganizationFactory(), join_policy=Community.JoinPolicy.OPEN
    )
    manager = UserFactory(display_name="Mia Manager")
    MembershipFactory(community=community, user=manager, role=Membership.Role.MANAGER)
    users = User.objects.bulk_create(
        [User(email=f"mailcrash{i}@example.test", display_name=f"Crowd {i}") for i in range(CROWD)]
    )
    Membership.objects.bulk_create(
        [Membership(community=community, user=u, status=Membership.Status.ACTIVE) for u in users]
    )
    return community, manager, {u.email for u in users}


def test_kill_9_of_the_whole_worker_while_emails_go_out_loses_none(queue, tmp_path):
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    community, manager, addresses = _crowd()
    # Kill k comes when a random share of the emails, between 10 + 25 (k - 1) % and 10 + 25 k %,
    # has arrived (so each kill lands while emails are going out), a random few ms after it.
    thresholds = [int(rng.uniform(0.1 + 0.25 * k, 0.35 + 0.25 * k) * CROWD) for k in range(KILLS)]

    with SmtpSink() as sink, beat(RELAY_INTERVAL):
        env = {
            "COCREATE_TEST_EMAIL_URL": f"smtp://{sink.host}:{sink.port}",
            "NOTIFICATIONS_EMAIL_LEASE": str(LEASE),
            "NOTIFICATIONS_EMAIL_BATCH": str(BATCH),
        }

        def start(label: str):
            return worker_process(
                queues=[queue],
                log_path=tmp_path / f"{label}.log",
                routes={"notifications.*": queue, "events.*": queue},
                settings_module="tests.events.worker_settings",
                pool="prefork",
                concurrency=CONCURRENCY,
                extra_env=env,
            )

        def arrived() -> int:
            return len(sink.recipients() & addresses)

        kills = []
        running = start("worker-0")
        worker = running.__enter__()
        try:
            announcement = services.announcement_create(
                actor=manager, community=community, title="Ride out", body="Saturday, 9 am."
            )
            for n, threshold in enumerate(thresholds, start=1):
                assert wait_for(lambda t=threshold: arrived() >= t, 60, 0.005), (
                    f"seed {seed}: {arrived()} of {CROWD} arrived before kill {n}\n{worker.log()}"
                )
                time.sleep(rng.uniform(0, 0.03))
                os.killpg(worker.process.pid, signal.SIGKILL)
                worker.process.wait(timeout=10)
                killed_at = time.monotonic()
                assert wait_for(lambda p=worker.process.pid: not group_alive(p), 10)
                kills.append((arrived(), sink.total))
                running.__exit__(None, None, None)
                running = start(f"worker-{n}")
                worker = running.__enter__()

            everyone = wait_for(lambda: arrived() == CROWD, 4 * RELAY_INTERVAL, 0.05)
            after_last_kill = time.monotonic() - killed_at
            assert everyone, f"seed {seed}: {arrived()} of {CROWD} arrived\n{worker.log()}"
            time.sleep(1)  # anything still coming would be a repeat: let it arrive
        finally:
            running.__exit__(None, None, None)

    event = OutboxEvent.objects.get(
        kind="announcement.created", payload__announcement_id=announcement.pk
    )
    # Every kill came while emails were still going out.
    assert all(at < CROWD for at, _total in kills), kills
    # Every member got it; repeats are at most the emails in flight at the kills, and each
    # repeat carries its first copy's Message-ID.
    assert sink.recipients() >= addresses
    counts = sink.counts()
    assert len(counts) == CROWD
    duplicates = sink.duplicates()
    print(
        f"seed={seed} kills_at={kills} duplicates={duplicates} "
        f"after_last_kill={after_last_kill:.1f}s"
    )
    assert duplicates <= KILLS * IN_FLIGHT_PER_KILL, (seed, duplicates, kills)
    assert after_last_kill <= 2 * RELAY_INTERVAL, (seed, after_last_kill)
    # The database agrees: one email per member, all sent; every notification emailed.
    emails = OutboundEmail.objects.filter(notification__event=event)
    assert emails.count() == CROWD
    assert dict(emails.values_list("state").annotate(n=Count("id"))) == {"sent": CROWD}
    rows = Notification.objects.filter(event=event)
    assert rows.count() == CROWD
    assert set(rows.values_list("email_state", flat=True)) == {"sent"}
    assert not FanoutChunk.objects.filter(event=event, done_at__isnull=True).exists()
