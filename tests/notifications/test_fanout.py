"""Announcements reach every active member in batches: N members take ceil(N / 1000) fan-out
tasks, each holding one batch; preferences, mutes and the author are respected; a repeat adds
nothing."""

import math

import pytest

from accounts.models import User
from communities.models import Membership
from notifications import services, tasks
from notifications.models import Notification

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
    calls: list[tuple[int, int]] = []
    original = tasks.fanout.delay

    def counting(event_id, after_user_id):
        calls.append((event_id, after_user_id))
        return original(event_id, after_user_id)

    monkeypatch.setattr(tasks.fanout, "delay", counting)
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
    assert len(count_fanout_tasks) == math.ceil(audience / services.FANOUT_BATCH)
    # Each task continues after the last member of the previous batch.
    assert count_fanout_tasks[0][1] == 0
    assert [after for _e, after in count_fanout_tasks] == sorted(
        after for _e, after in count_fanout_tasks
    )
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
    event_id = Notification.objects.first().event_id

    tasks.fanout.delay(event_id, 0)  # a redelivered first task

    assert Notification.objects.count() == before == 7
