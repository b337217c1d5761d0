"""Knowledge pages run the same number of queries for 5 items as for 50, and a long discussion
costs a fixed, small number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from knowledge import services
from knowledge.models import Comment

from ..factories import MembershipFactory, UserFactory
from ..querycount import get_queries, same_get_at_5_and_50
from .factories import make_contribution, moderate_every_third

pytestmark = pytest.mark.django_db

# The contribution page with 500 comments (20 top-level shown, 3 replies each) as a manager, who
# also gets the staff panel: session, user, community, membership, contribution, own support,
# own follow, timeline, a page of top-level comments, their first replies (one windowed query),
# scorecards and evaluations. Measured at 12 on SQLite and PostgreSQL.
CONTRIBUTION_PAGE_MAX_QUERIES = 12


@pytest.fixture
def authors(community):
    people = UserFactory.create_batch(3)
    for person in people:
        MembershipFactory(community=community, user=person)
    return people


def test_feed(client, community, member, toolkit, authors):
    client.force_login(member)

    def add(n):
        for i in range(n):
            item = make_contribution(
                author=authors[i % 3], community=community, toolkit=toolkit, tags="noise, chains"
            )
            if i % 2:
                services.support_add(user=member, contribution=item)

    same_get_at_5_and_50(add, client, reverse("knowledge:feed", args=[community.slug]))


def test_feed_filtered_and_sorted(client, community, member, toolkit, authors):
    client.force_login(member)
    url = reverse("knowledge:feed", args=[community.slug]) + "?sort=top&tag=noise&kind=idea"

    def add(n):
        for i in range(n):
            make_contribution(author=authors[i % 3], community=community, toolkit=toolkit,
                              tags="noise")  # fmt: skip

    same_get_at_5_and_50(add, client, url)


def test_challenge_list(client, community, manager, member):
    client.force_login(member)

    def add(n):
        for i in range(n):
            services.challenge_create(
                actor=manager,
                community=community,
                title=f"Challenge {i}",
                brief="Help us.",
                deadline=timezone.now() + timedelta(days=5),
                phase="open",
            )

    same_get_at_5_and_50(add, client, reverse("knowledge:challenges", args=[community.slug]))


def test_challenge_page(client, community, manager, member, toolkit, authors):
    challenge = services.challenge_create(
        actor=manager,
        community=community,
        title="Quiet",
        brief="Quieter bikes?",
        toolkits=[toolkit],
        phase="open",
    )
    client.force_login(member)

    def add(n):
        for i in range(n):
            item = make_contribution(
                author=authors[i % 3], community=community, toolkit=toolkit, challenge=challenge
            )
            services.comment_create(
                author=authors[(i + 1) % 3], discussion=challenge.discussion, body="Q?"
            )
            del item

    url = reverse("knowledge:challenge", args=[community.slug, challenge.pk])
    same_get_at_5_and_50(add, client, url)


def test_triage_board(client, community, manager, toolkit, authors):
    scorecard = services.scorecard_create(
        actor=manager, community=community, title="Fit", criteria=[{"label": "Impact"}]
    )
    client.force_login(manager)
    statuses = ["submitted", "under_review", "accepted", "declined"]

    def add(n):
        for i in range(n):
            item = make_contribution(author=authors[i % 3], community=community, toolkit=toolkit)
            if statuses[i % 4] != "submitted":
                services.contribution_set_status(
                    actor=manager, contribution=item, status=statuses[i % 4], reason="Because"
                )
            services.evaluation_submit(
                evaluator=manager, contribution=item, scorecard=scorecard, scores={"impact": 4}
            )

    same_get_at_5_and_50(add, client, reverse("knowledge:triage", args=[community.slug]))


def _discuss(contribution, people, top_level: int, replies_each: int) -> None:
    for i in range(top_level):
        top = services.comment_create(
            author=people[i % len(people)], discussion=contribution.discussion, body=f"Comment {i}"
        )
        for j in range(replies_each):
            services.comment_create(
                author=people[(i + j + 1) % len(people)], parent=top, body=f"Reply {j}"
            )


@pytest.mark.parametrize("viewer", ["member", "manager"])
def test_contribution_page_5_vs_50_comments(client, request, community, toolkit, authors, viewer):
    user = request.getfixturevalue(viewer)
    item = make_contribution(author=authors[0], community=community, toolkit=toolkit)
    client.force_login(user)
    url = reverse("knowledge:contribution", args=[community.slug, item.pk])

    def add(n):
        # n comments: a fifth top-level, the rest replies (four per thread).
        _discuss(item, authors, top_level=n // 5, replies_each=4)

    same_get_at_5_and_50(add, client, url)


def test_contribution_page_with_500_comments(client, community, manager, toolkit, authors):
    item = make_contribution(author=authors[0], community=community, toolkit=toolkit)
    services.scorecard_create(
        actor=manager, community=community, title="Fit", criteria=[{"label": "Impact"}]
    )
    # 100 threads of 1 comment + 4 replies = 500 comments, written in bulk for speed.
    now = timezone.now()
    tops = Comment.objects.bulk_create(
        Comment(
            discussion=item.discussion,
            author=authors[i % 3],
            body=f"Top {i}",
            body_html=f"<p>Top {i}</p>",
            reply_count=4,
            created_at=now + timedelta(seconds=i),
        )
        for i in range(100)
    )
    Comment.objects.bulk_create(
        Comment(
            discussion=item.discussion,
            parent=top,
            author=authors[j % 3],
            body=f"Reply {j}",
            body_html=f"<p>Reply {j}</p>",
            created_at=now + timedelta(seconds=200 + j),
        )
        for top in tops
        for j in range(4)
    )
    assert Comment.objects.filter(discussion=item.discussion).count() == 500
    client.force_login(manager)
    url = reverse("knowledge:contribution", args=[community.slug, item.pk])
    queries = get_queries(client, url)
    assert queries <= CONTRIBUTION_PAGE_MAX_QUERIES, queries
    response = client.get(url)
    assert response.content.count(b'<article id="comment-') == 20 + 20 * 3
    assert b"Show all 4 replies" in response.content


# --- With moderated items: the filters are in the queries, so the counts stay flat --------------


@pytest.mark.parametrize("viewer", ["member", "moderator"])
def test_feed_with_hidden_and_held_items(client, request, community, moderator, toolkit, authors,
                                         viewer):  # fmt: skip
    client.force_login(request.getfixturevalue(viewer))

    def add(n):
        for i in range(n):
            item = make_contribution(author=authors[i % 3], community=community, toolkit=toolkit)
            moderate_every_third(moderator, i, contribution=item)

    same_get_at_5_and_50(add, client, reverse("knowledge:feed", args=[community.slug]))


@pytest.mark.parametrize("viewer", ["member", "moderator"])
def test_contribution_page_with_hidden_and_held_comments(
    client, request, community, moderator, toolkit, authors, viewer
):
    item = make_contribution(author=authors[0], community=community, toolkit=toolkit)
    client.force_login(request.getfixturevalue(viewer))
    url = reverse("knowledge:contribution", args=[community.slug, item.pk])
    counter = iter(range(10_000))

    def add(n):
        for _ in range(n // 5):
            top = services.comment_create(
                author=authors[0], discussion=item.discussion, body="Top with @person1"
            )
            for j in range(4):
                reply = services.comment_create(author=authors[(j + 1) % 3], parent=top, body="R")
                moderate_every_third(moderator, next(counter), comment=reply)
            moderate_every_third(moderator, next(counter), comment=top)

    same_get_at_5_and_50(add, client, url)
    if viewer == "member":
        assert b"Removed by a moderator." in client.get(url).content
