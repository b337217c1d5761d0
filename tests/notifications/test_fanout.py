"""Announcements reach every active member in chunks: N members take ceil(N / 1000) chunk tasks
planned at once (so every worker process shares the work), each holding one chunk; preferences,
mutes and the author are respected; a repeat adds nothing; the relay re-queues undone chunks."""

import math
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from communities.models import Membership
from events.tasks import relay
from knowledge import services as knowledge
from notifications import services, tasks
from notifications.models import FanoutChunk, Notification

from .support import delivered

pytestmark = pytest.mark.django_db


def _add_members(community, n: int) -> list[int]:
    start = User.objects.count()
    users = User.objects.bulk_create(
        [User(email=f"crowd{start + i}@example.test", display_name=f"Crowd {i}") for i in range(n)]
    )
    Membership.objects.bulk_create(
        [Membership(community=community, user=u, status=Membership.Status.ACTIVE) for u in users]
    )
    return [u.pk for u in users]


@pytest.fixture
def count_fanout_tasks(monkeypatch):
    """Spy on the chunk tasks queued (they still run: tests run tasks in-process)."""
    calls: list[int] = []
    original = tasks.fanout_chunk.delay

    def counting(chunk_id):
        calls.append(chunk_id)
        return original(chunk_id)

    monkeypatch.setattr(tasks.fanout_chunk, "delay", counting)
    return calls


@pytest.mark.parametrize("crowd", [1997, 2500])
def test_announcement_reaches_every_member_in_bounded_batches(
    lab, crowd, count_fanout_tasks, django_capture_on_commit_callbacks
):
    _add_members(lab.community, crowd)
    audience = Membership.objects.filter(
        community=lab.community, status=Membership.Status.ACTIVE
    ).count()
    assert audience == crowd + 3  # with the lab's manager, author and peer

    with delivered(django_capture_on_commit_callbacks):
        announcement = services.announcement_create(
            actor=lab.manager, community=lab.community, title="Ride out", body="Saturday."
        )

    # Everyone but the author of the announcement.
    assert Notification.objects.filter(kind="announcement.created").count() == audience - 1
    assert not Notification.objects.filter(recipient=lab.manager).exists()
    chunks = list(FanoutChunk.objects.order_by("after_user_id"))
    assert len(count_fanout_tasks) == len(chunks) == math.ceil(audience / services.FANOUT_BATCH)
    assert sorted(count_fanout_tasks) == sorted(c.pk for c in chunks)
    # The chunks tile the audience: each starts where the previous ended, the last is open.
    assert chunks[0].after_user_id == 0
    assert [c.after_user_id for c in chunks[1:]] == [c.upto_user_id for c in chunks[:-1]]
    assert chunks[-1].upto_user_id is None
    assert all(c.done_at is not None and c.attempts == 1 for c in chunks)
    members = Membership.objects.filter(community=lab.community).order_by("user_id")
    for chunk in chunks[:-1]:
        inside = members.filter(user_id__gt=chunk.after_user_id, user_id__lte=chunk.upto_user_id)
        assert inside.count() == services.FANOUT_BATCH
    notification = Notification.objects.filter(recipient=lab.peer).get()
    assert notification.text == "Announcement: Ride out"
    assert notification.url == f"/c/{lab.community.slug}/announcements/{announcement.pk}/"


def test_an_exact_multiple_of_the_batch_takes_no_extra_task(
    lab, count_fanout_tasks, django_capture_on_commit_callbacks
):
    _add_members(lab.community, 2 * services.FANOUT_BATCH - 3)  # 2000 with the lab's three
    with delivered(django_capture_on_commit_callbacks):
        services.announcement_create(
            actor=lab.manager, community=lab.community, title="Ride", body="Go."
        )
    assert len(count_fanout_tasks) == 2
    assert Notification.objects.count() == 2 * services.FANOUT_BATCH - 1


def test_the_batch_size_is_a_setting(lab, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATIONS_FANOUT_BATCH = 4
    _add_members(lab.community, 7)  # 10 members: chunks of 4, 4 and 2
    with delivered(django_capture_on_commit_callbacks):
        services.announcement_create(
            actor=lab.manager, community=lab.community, title="Ride", body="Go."
        )
    assert FanoutChunk.objects.count() == 3
    assert Notification.objects.count() == 9


def test_fanout_respects_preferences_mutes_and_membership(lab, django_capture_on_commit_callbacks):
    services.preference_set(user=lab.peer, topic="announcements", channel="off")
    services.community_mute_set(user=lab.author, community_id=lab.community.pk, muted=True)
    crowd = _add_members(lab.community, 3)
    Membership.objects.filter(user_id=crowd[0]).update(status=Membership.Status.LEFT)

    with delivered(django_capture_on_commit_callbacks):
        services.announcement_create(
            actor=lab.manager, community=lab.community, title="Ride", body="Go."
        )

    assert set(Notification.objects.values_list("recipient_id", flat=True)) == set(crowd[1:])


def test_a_repeated_fanout_adds_nothing(lab, django_capture_on_commit_callbacks):
    _add_members(lab.community, 5)
    with delivered(django_capture_on_commit_callbacks):
        services.announcement_create(
            actor=lab.manager, community=lab.community, title="Ride", body="Go."
        )
    before = Notification.objects.count()
    event = Notification.objects.first().event
    chunk = FanoutChunk.objects.get(event=event)

    assert tasks.fanout_chunk.delay(chunk.pk).get() is None  # a redelivered task: already done
    # Even a chunk run again from scratch (its worker died after the insert, before the
    # commit that marked it done... and yet the rows were there) adds nothing.
    FanoutChunk.objects.filter(pk=chunk.pk).update(done_at=None)
    assert services.fanout_chunk_process(chunk_id=chunk.pk) == 0
    # Planning the event again (its consumer re-run) plans no new chunk.
    with django_capture_on_commit_callbacks(execute=False):
        services.fanout_plan(event=event)
    assert FanoutChunk.objects.filter(event=event).count() == 1

    assert Notification.objects.count() == before == 7


def test_the_relay_requeues_a_chunk_left_undone(lab, django_capture_on_commit_callbacks):
    """A worker killed mid-fan-out leaves chunks undone; the relay queues them again once they
    have waited long enough, and only once per interval."""
    _add_members(lab.community, 5)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.announcement_create(
            actor=lab.manager, community=lab.community, title="Ride", body="Go."
        )
    for callback in callbacks:  # the event is delivered...
        with django_capture_on_commit_callbacks(execute=False):  # ...but its chunks never queued
            callback()
    chunk = FanoutChunk.objects.get()
    assert chunk.done_at is None and not Notification.objects.exists()

    assert services.pending_fanout_chunk_ids(older_than_seconds=30, limit=10) == []  # too new
    FanoutChunk.objects.update(queued_at=timezone.now() - timedelta(minutes=1))
    assert relay(older_than_seconds=30) == 1

    chunk.refresh_from_db()
    assert chunk.done_at is not None
    assert Notification.objects.count() == 7
    assert services.pending_fanout_chunk_ids(older_than_seconds=0, limit=10) == []  # all done


def test_a_new_challenge_reaches_the_community_through_the_same_chunks(
    lab, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_FANOUT_BATCH = 2
    crowd = _add_members(lab.community, 3)  # 6 members: chunks of 2
    with delivered(django_capture_on_commit_callbacks):
        challenge = knowledge.challenge_create(
            actor=lab.manager,
            community=lab.community,
            title="Quieter hubs",
            brief="How would you make freewheel hubs quieter?",
            phase="open",
        )

    rows = Notification.objects.filter(kind="challenge.opened")
    assert sorted(rows.values_list("recipient_id", flat=True)) == sorted(
        [lab.author.pk, lab.peer.pk, *crowd]
    )
    assert FanoutChunk.objects.filter(done_at__isnull=False).count() == 3
    assert rows.get(recipient=lab.peer).url.endswith(f"/challenges/{challenge.pk}/")
    # "challenges" defaults to the weekly digest: nothing is emailed now.
    assert set(rows.values_list("email_state", flat=True)) == {"weekly"}
