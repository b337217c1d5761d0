"""``seed_demo`` on databases in other states: one with only the previous, smaller demo gets
the story; a part that fails leaves none of its story (the next run then tells it, as on the
old demo's database).

These tests commit (``transaction=True``), as the command does outside a test.
"""

import pytest

from communities.models import Community, Membership, Organization
from demo import trail_bike_lab
from events.models import OutboxEvent
from knowledge.models import Challenge, Contribution, Toolkit

from .story import assert_story_told, old_demo, seed

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_database_with_the_old_demo_gets_the_story():
    old_demo()
    assert not Toolkit.objects.exists()

    output = seed()

    assert_story_told()
    assert Organization.objects.count() == 1 and Community.objects.count() == 4
    assert "Trail Bike Lab: story created." in output
    lab = Community.objects.get(slug="trail-bike-lab")
    assert Membership.objects.filter(community=lab, user__email="jonas@demo.cocreate.test")


def test_a_failing_part_leaves_none_of_its_story(monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the announcement failed")

    # The announcement is the story's last step but one: almost all of it is written by then.
    monkeypatch.setattr(trail_bike_lab.notifications, "announcement_create", broken)
    with pytest.raises(RuntimeError):
        seed()

    lab = Community.objects.get(slug="trail-bike-lab")
    assert Membership.objects.filter(community=lab).count() == 9  # the part before it stays
    assert not Toolkit.objects.filter(community=lab).exists()
    assert not Contribution.objects.exists() and not Challenge.objects.exists()
    assert not OutboxEvent.objects.filter(community_id=lab.pk).exclude(kind="community.created")
