import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db import connection as conn
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from cocreate.pagination import keyset_paginate
from communities.models import Membership
from knowledge import selectors, services
from knowledge.access import access_contribution
from knowledge.models import Contribution, Support

from ..conftest import require_or_skip, uses_postgres
from ..factories import CommunityFactory, MembershipFactory, UserFactory
from ..querycount import queries_run_by, same_at_5_and_50
from .factories import make_contribution, make_toolkit

pytestmark = pytest.mark.django_db


def _feed_queries(user, community, sort="new") -> int:
    def read_feed():
        qs = selectors.contribution_feed(user=user, community=community)
        page = keyset_paginate(qs, ordering=selectors.FEED_SORTS[sort], cursor=None, page_size=50)
        selectors.supported_ids(user=user, contributions=page.items)
        for c in page.items:
            str(c.author.public_name)

    return queries_run_by(read_feed)


def test_outsider_sees_no_knowledge(community, outsider, member, toolkit):
    make_contribution(author=member, community=community, toolkit=toolkit)
    with pytest.raises(Http404):
        selectors.contribution_feed(user=outsider, community=community)


def test_drafts_are_the_authors_only(community, member, moderator, toolkit):
    draft = make_contribution(
        author=member, community=community, toolkit=toolkit, submit=False, fields={}
    )
    assert list(selectors.contribution_feed(user=member, community=community)) == []
    other = UserFactory()
    MembershipFactory(community=community, user=other)
    with pytest.raises(Http404):
        access_contribution(other, draft.pk, community=community)
    assert access_contribution(member, draft.pk, community=community)
    with pytest.raises(Http404):  # not shared yet: not even a moderator reads it
        access_contribution(moderator, draft.pk, community=community)


def test_feed_filters_by_tag_kind_status(community, member, manager, toolkit):
    a = make_contribution(author=member, community=community, toolkit=toolkit, tags="noise")
    make_contribution(author=member, community=community, toolkit=toolkit, tags="weight")
    services.contribution_set_status(
        actor=manager, contribution=a, status="under_review", reason="Looking"
    )
    feed = selectors.contribution_feed(user=member, community=community, tag="Noise")
    assert list(feed) == [a]
    feed = selectors.contribution_feed(user=member, community=community, status="under_review")
    assert list(feed) == [a]


@pytest.mark.parametrize("sort", list(selectors.FEED_SORTS))
def test_feed_query_count_is_flat(community, member, toolkit, sort):
    def add(n):
        for _ in range(n):
            make_contribution(author=member, community=community, toolkit=toolkit)

    same_at_5_and_50(add, lambda: _feed_queries(member, community, sort), f"feed by {sort}")


def test_thread_of_500_comments_stays_within_fixed_queries(community, member, moderator, toolkit):
    """A contribution with 500 comments in threads: the page of comments costs at most 3
    queries (top-level page, first replies of each), however many comments there are."""
    c = make_contribution(author=member, community=community, toolkit=toolkit)
    tops = []
    for i in range(100):
        tops.append(
            services.comment_create(author=moderator, discussion=c.discussion, body=f"Top {i}")
        )
    for i in range(400):
        services.comment_create(author=member, parent=tops[i % 100], body=f"Reply {i}")
    # Held as pages hold it: through the selector, which keeps the community (and the viewer's
    # membership, needed for the moderation filter) in memory.
    c = access_contribution(member, c.pk, community=community)
    assert c.comment_count == 500
    with CaptureQueriesContext(connection) as ctx:
        thread = selectors.comment_thread(user=member, discussion=c.discussion)
        rendered = sum(1 + len(t.shown_replies) for t in thread.comments)
        names = {t.author.public_name for t in thread.comments}
        names |= {r.author.public_name for t in thread.comments for r in t.shown_replies}
    assert len(ctx.captured_queries) <= 3
    assert len(thread.comments) == 20
    assert rendered == 20 + 20 * selectors.REPLIES_SHOWN
    assert thread.next_cursor is not None
    assert names
    second = selectors.comment_thread(
        user=member, discussion=c.discussion, cursor=thread.next_cursor
    )
    assert second.comments[0].body == "Top 20"


def test_search_finds_and_highlights(community, member, toolkit):
    make_contribution(
        author=member,
        community=community,
        toolkit=toolkit,
        title="Quieter chain",
        body="A wax coating keeps the chain silent in the rain.",
    )
    make_contribution(
        author=member, community=community, toolkit=toolkit, title="Lighter frame", body="Carbon."
    )
    hits = selectors.search_contributions(user=member, community=community, query="chain")
    assert [h.contribution.title for h in hits] == ["Quieter chain"]
    assert "<mark>" in hits[0].snippet
    assert selectors.search_contributions(user=member, community=community, query="zzz") == []


def test_search_snippet_escapes_user_text(community, member, toolkit):
    make_contribution(
        author=member,
        community=community,
        toolkit=toolkit,
        title="Brake idea",
        body="brake <img src=x onerror=alert(1)> brake",
    )
    hits = selectors.search_contributions(user=member, community=community, query="brake")
    assert hits and "<img" not in hits[0].snippet


def test_triage_board_is_staff_only(community, member, manager, toolkit):
    c = make_contribution(author=member, community=community, toolkit=toolkit)
    card = services.scorecard_create(
        actor=manager, community=community, title="Fit", criteria=[{"label": "Impact"}]
    )
    services.evaluation_submit(
        evaluator=manager, contribution=c, scorecard=card, scores={"impact": 4}
    )
    board = selectors.triage_board(user=manager, community=community)
    assert board["submitted"][0].avg_score == 4
    with pytest.raises(PermissionDenied):
        selectors.triage_board(user=member, community=community)


@pytest.mark.django_db(transaction=True)
def test_concurrent_supports_and_withdrawals_keep_counter_exact(organization):
    """20 members support and withdraw at once (real PostgreSQL, threads): the counter equals
    the rows afterwards."""
    require_or_skip(uses_postgres(), "needs PostgreSQL row locks and real concurrency")

    community = CommunityFactory(organization=organization)
    manager = UserFactory()
    MembershipFactory(community=community, user=manager, role=Membership.Role.MANAGER)
    toolkit = make_toolkit(actor=manager, community=community)
    contribution = make_contribution(author=manager, community=community, toolkit=toolkit)
    people = [UserFactory() for _ in range(20)]
    for person in people:
        MembershipFactory(community=community, user=person)
    barrier = threading.Barrier(20)
    errors: list[Exception] = []

    def act(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            services.support_add(user=people[i], contribution=contribution)
            if i % 3 == 0:
                services.support_remove(user=people[i], contribution=contribution)
            services.support_add(user=people[i], contribution=contribution)
            if i % 2 == 0:
                services.support_remove(user=people[i], contribution=contribution)
        except Exception as exc:
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=act, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    contribution.refresh_from_db()
    rows = Support.objects.filter(contribution=contribution).count()
    assert contribution.support_count == rows == 10
    assert Contribution.objects.get(pk=contribution.pk).support_count == 10
