"""``kill -9`` during a fan-out loses nothing and duplicates nothing: real Celery worker
processes (prefork, two children), the real Redis broker and the real PostgreSQL test database.

To kill the worker mid-fan-out every time, not by luck of timing, the test holds a row lock on
one member's user row from a connection of its own: the worker's insert of that member's
notification (its foreign-key check) waits for the lock, so the chunk holding that member is
stuck in its transaction while the other chunks commit. The worker is killed right then.

What carries the guarantee:

- the fan-out plan (``FanoutChunk`` rows) is written in the transaction that processes the
  event, before any task is queued, and a chunk is marked done in the transaction that inserts
  its notifications: a killed chunk commits nothing and stays undone;
- the event bus's relay (beat, every 30 s) queues undone chunks again (the notifications
  consumer's relay hook); when the whole process group
  dies nobody rejects the message, and Redis gives an unacknowledged message back only after the
  visibility timeout (an hour), so here it is the relay that finishes the fan-out;
- ``acks_late`` + ``reject_on_worker_lost``: when only a child process dies, its parent puts
  the message back on the queue at once and the fan-out finishes with no relay at all;
- the unique (event, recipient) constraint: a chunk run twice adds nothing.
"""

import os
import signal
import time
from contextlib import contextmanager

import psycopg2
import pytest
from django.db import connection, transaction
from django.db.models import Count

from accounts.models import User
from communities.models import Community, Membership
from events.models import OutboxEvent
from events.tasks import relay
from notifications import services
from notifications.models import FanoutChunk, Notification, Preference

from ..events.worker import backends_waiting_on_a_lock as _backends_waiting_on_a_lock
from ..events.worker import children as _children
from ..events.worker import group_alive as _group_alive
from ..events.worker import new_queue, require_services, routed, worker_process
from ..events.worker import other_backends as _other_backends
from ..events.worker import wait_for as _wait_for
from ..factories import CommunityFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CROWD = 3000
FINISH_TIMEOUT = 90


@pytest.fixture
def queue():
    """A queue of this test's own; every notifications task (and the relay) goes there."""
    require_services()
    name = new_queue("test-crash")
    with routed({"notifications.*": name, "events.*": name}):
        yield name


@contextmanager
def workers(queue: str, tmp_path, label: str):
    """A prefork worker with two child processes, in a process group of its own; the tasks it
    queues (fan-out chunks, emails, relayed events) go to the test's queue too."""
    with worker_process(
        queues=[queue],
        log_path=tmp_path / f"{label}.log",
        routes={"notifications.*": queue, "events.*": queue},
        settings_module="tests.events.worker_settings",
        pool="prefork",
        concurrency=2,
    ) as worker:
        yield worker


@contextmanager
def notification_being_inserted(*, event_id: int, user_id: int):
    """From a connection of the test's own, insert (and keep uncommitted until the block ends,
    then roll back) the notification of ``event_id`` for ``user_id``. The worker's insert of the
    same (event, recipient) waits for this transaction, inside the chunk's own transaction and
    before its commit. The event may be uncommitted still: foreign keys are checked at commit,
    which this transaction never reaches."""
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
            cursor.execute(
                "INSERT INTO notifications_notification (recipient_id, event_id, kind, text, url,"
                " created_at, email_state) VALUES (%s, %s, 'test.blocker', '', '', now(), 'none')",
                [user_id, event_id],
            )
        yield
    finally:
        conn.rollback()
        conn.close()


def _crowded_community():
    """A community of CROWD members and a manager; the crowd reads announcements in the app
    (no emails: the test is about the fan-out)."""
    community = CommunityFactory(
        organization=OrganizationFactory(), join_policy=Community.JoinPolicy.OPEN
    )
    manager = UserFactory(display_name="Mia Manager")
    MembershipFactory(community=community, user=manager, role=Membership.Role.MANAGER)
    users = User.objects.bulk_create(
        [User(email=f"crash{i}@example.test", display_name=f"Crowd {i}") for i in range(CROWD)]
    )
    Membership.objects.bulk_create(
        [Membership(community=community, user=u, status=Membership.Status.ACTIVE) for u in users]
    )
    Preference.objects.bulk_create(
        [Preference(user=u, topic="announcements", channel="in_app") for u in users]
    )
    member_ids = sorted(u.pk for u in users)
    return community, manager, member_ids


@contextmanager
def announced_with_one_member_held(community, manager, held_user_id: int):
    """Send an announcement; until the block ends, the insert of ``held_user_id``'s notification
    waits (see ``notification_being_inserted``). Yields the announcement's event id."""
    with transaction.atomic():
        announcement = services.announcement_create(
            actor=manager, community=community, title="Ride out", body="Saturday, 9 am."
        )
        event_id = OutboxEvent.objects.get(
            kind="announcement.created", payload__announcement_id=announcement.pk
        ).pk
        held = notification_being_inserted(event_id=event_id, user_id=held_user_id)
        held.__enter__()
    # Committed: the event goes to the worker now.
    try:
        yield event_id
    finally:
        held.__exit__(None, None, None)


def _assert_everyone_notified_exactly_once(event_id: int, member_ids: list[int]) -> None:
    rows = Notification.objects.filter(event_id=event_id)
    duplicated = rows.values("recipient_id").annotate(n=Count("id")).filter(n__gt=1)
    assert not duplicated.exists(), list(duplicated[:5])
    assert sorted(rows.values_list("recipient_id", flat=True)) == member_ids
    assert not FanoutChunk.objects.filter(event_id=event_id, done_at__isnull=True).exists()


def _all_done(event_id: int) -> bool:
    return not FanoutChunk.objects.filter(event_id=event_id, done_at__isnull=True).exists()


def _stuck_mid_fanout(event_id: int, expected_chunks: int):
    """Wait until every chunk but the blocked one is done and the blocked one waits on the lock."""

    def stuck():
        chunks = FanoutChunk.objects.filter(event_id=event_id)
        return (
            chunks.count() == expected_chunks
            and chunks.filter(done_at__isnull=True).count() == 1
            and _backends_waiting_on_a_lock() >= 1
        )

    return _wait_for(stuck, FINISH_TIMEOUT, 0.1)


def test_kill_9_of_the_whole_worker_mid_fanout_loses_and_duplicates_nothing(queue, tmp_path):
    community, manager, member_ids = _crowded_community()
    blocked = member_ids[len(member_ids) // 2]  # in the second of four chunks
    chunks = -(-(len(member_ids) + 1) // services.fanout_batch_size())  # with the manager
    before_workers = _other_backends()

    with (
        workers(queue, tmp_path, "first") as first,
        announced_with_one_member_held(community, manager, blocked) as event_id,
    ):
        assert _stuck_mid_fanout(event_id, chunks), first.log()

        at_kill = Notification.objects.filter(event_id=event_id).count()
        os.killpg(first.process.pid, signal.SIGKILL)
        first.process.wait(timeout=10)
        assert _wait_for(lambda: not _group_alive(first.process.pid), 10), "group survived"

    # The held insert is rolled back; the dead worker's database session, no longer waiting,
    # finds its client gone and ends without committing.
    assert _wait_for(lambda: _other_backends() <= before_workers, 30), (
        "the killed worker's session lingers"
    )
    # Killed mid-way: some chunks committed, the blocked one did not, and nothing since.
    assert 0 < at_kill < len(member_ids)
    assert not Notification.objects.filter(event_id=event_id, recipient_id=blocked).exists()
    assert Notification.objects.filter(event_id=event_id).count() == at_kill

    undone = FanoutChunk.objects.get(event_id=event_id, done_at__isnull=True)
    with workers(queue, tmp_path, "second") as second:
        time.sleep(2)
        # Nobody gave the killed task back to the queue: a new worker alone finishes nothing.
        undone.refresh_from_db()
        assert undone.done_at is None, second.log()
        # What beat does every 30 s (here without waiting for the chunk to age).
        relay.apply_async(kwargs={"older_than_seconds": 0})

        finished = _wait_for(
            lambda: (
                not FanoutChunk.objects.filter(event_id=event_id, done_at__isnull=True).exists()
            ),
            FINISH_TIMEOUT,
        )
        assert finished, second.log()

    _assert_everyone_notified_exactly_once(event_id, member_ids)
    undone.refresh_from_db()
    assert undone.attempts == 1  # done once, by the relayed task


def test_kill_9_of_the_worker_processes_mid_fanout_requeues_the_task(queue, tmp_path):
    """Only the child processes die (out of memory, say): the parent sees the loss and, with
    acks_late and reject_on_worker_lost, puts the task back; no relay is needed."""
    community, manager, member_ids = _crowded_community()
    blocked = member_ids[len(member_ids) // 2]
    chunks = -(-(len(member_ids) + 1) // services.fanout_batch_size())

    with workers(queue, tmp_path, "parent") as worker:
        with announced_with_one_member_held(community, manager, blocked) as event_id:
            assert _stuck_mid_fanout(event_id, chunks), worker.log()
            at_kill = Notification.objects.filter(event_id=event_id).count()
            children = _children(worker.process.pid)
            assert len(children) == 2, children
            for child in children:
                os.kill(child, signal.SIGKILL)
            # The parent replaces them and takes the returned task again; it waits on the lock.
            assert _wait_for(
                lambda: (
                    "WorkerLostError" in worker.log()
                    and set(_children(worker.process.pid)).isdisjoint(children)
                ),
                30,
            ), worker.log()
            assert 0 < at_kill < len(member_ids)

        finished = _wait_for(
            lambda: (
                not FanoutChunk.objects.filter(event_id=event_id, done_at__isnull=True).exists()
            ),
            FINISH_TIMEOUT,
        )
        assert finished, worker.log()

    _assert_everyone_notified_exactly_once(event_id, member_ids)
    # Nothing was relayed: the chunk that was killed was done by its requeued message.
    assert FanoutChunk.objects.filter(event_id=event_id, attempts=1).count() == chunks
