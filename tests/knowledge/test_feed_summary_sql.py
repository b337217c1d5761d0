"""``selectors.feed_summary_rows`` (the API feed's hand-written SELECT) gives what the ORM version
gives: the same rows in the same order on every cursor page, for every sort and filter."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.http import Http404
from django.utils import timezone

from knowledge import selectors, services
from knowledge.api.contributions import FeedCursorPagination
from knowledge.models import Contribution, Discussion

from ..factories import MembershipFactory, UserFactory
from ..pagewalk import assert_same_pages, keyset_walk
from .factories import make_contribution, moderate_every_third

pytestmark = pytest.mark.django_db


@pytest.fixture
def feed(community, member, manager, moderator, toolkit):
    """Contributions with ties on every sort key, a challenge, tags, kinds, statuses, supports,
    locks, hidden and held ones and a draft."""
    challenge = services.challenge_create(
        actor=manager, community=community, title="Quiet", brief="B", phase="open"
    )
    now = timezone.now()
    made = []
    for i in range(13):
        c = make_contribution(
            author=member if i % 2 else manager,
            community=community,
            toolkit=toolkit,
            challenge=challenge if i % 3 == 0 else None,
            tags="chains, wax" if i % 2 else "chains",
        )
        made.append(c)
        Contribution.objects.filter(pk=c.pk).update(
            support_count=i % 3,
            comment_count=i % 4,
            submitted_at=now - timedelta(minutes=i // 3),
            last_activity_at=now - timedelta(minutes=i // 2),
            kind="problem" if i % 4 == 0 else c.kind,
        )
        if i % 4 == 0:  # the manager's: the member may support them
            services.support_add(user=member, contribution=c)
        if i == 4:
            Discussion.objects.filter(contribution=c).update(is_locked=True)
    services.contribution_set_status(
        actor=manager, contribution=made[1], status="accepted", reason="Good"
    )
    for i, c in enumerate(made[7:10]):
        moderate_every_third(moderator, i, contribution=c)
    make_contribution(author=member, community=community, toolkit=toolkit, submit=False)
    return SimpleNamespace(challenge=challenge)


FILTERS = [
    {},
    {"tag": " Chains "},
    {"tag": "wax"},
    {"kind": "problem"},
    {"status": "accepted"},
    {"status": "draft"},
    {"challenge": True},
    {"tag": "none-such"},
]


@pytest.mark.parametrize("sort", list(selectors.FEED_SORTS))
@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f) or "none")
def test_same_pages_as_the_orm(community, member, feed, sort, filters):
    kwargs = {"user": member, "community": community, **filters}
    if filters.get("challenge"):
        kwargs["challenge"] = feed.challenge
    view = SimpleNamespace(feed_sort=sort)
    seen = assert_same_pages(
        FeedCursorPagination,
        lambda: selectors.feed_summary_rows(**kwargs),
        lambda: selectors.contribution_summary_rows(
            selectors.contribution_feed(**kwargs), user=member
        ),
        "/feed/?page_size=2",
        view=view,
        min_pages=1,
    )
    if not filters:
        assert seen == 11  # 13 made, one hidden and one held left out, no draft


def test_rows_for_other_viewers(community, feed, moderator):
    """A moderator and a member who supports nothing see the same rows both ways."""
    other = MembershipFactory(community=community).user
    for user in (moderator, other):
        seen = assert_same_pages(
            FeedCursorPagination,
            lambda u=user: selectors.feed_summary_rows(user=u, community=community),
            lambda u=user: selectors.contribution_summary_rows(
                selectors.contribution_feed(user=u, community=community), user=u
            ),
            "/feed/?page_size=3",
            view=SimpleNamespace(feed_sort="top"),
        )
        assert seen == 11


def test_outsiders_get_404(community, feed):
    with pytest.raises(Http404):
        selectors.feed_summary_rows(user=UserFactory(), community=community)


@pytest.mark.parametrize("sort", list(selectors.FEED_SORTS))
@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f) or "none")
def test_the_feed_page_walks_the_same_pages_as_the_orm(community, member, feed, sort, filters):
    """The feed page's paginator (``keyset_paginate``, ``KeysetRows.after``) over the
    hand-written rows cuts the same pages as over the ORM's, ties on every sort key included."""
    kwargs = {"user": member, "community": community, **filters}
    if filters.get("challenge"):
        kwargs["challenge"] = feed.challenge
    ordering = selectors.FEED_SORTS[sort]
    hand = keyset_walk(lambda: selectors.feed_summary_rows(**kwargs), ordering)
    orm = keyset_walk(
        lambda: selectors.feed_rows(selectors.contribution_feed(**kwargs), user=member), ordering
    )
    assert hand == orm
    if not filters:
        assert sum(map(len, hand)) == 11 and len(hand) == 6
