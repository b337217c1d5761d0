"""Every knowledge API list costs the same number of queries for 5 items as for 50 (no N+1)."""

import pytest

from knowledge import selectors, services

from ..clients import token_client
from ..factories import MembershipFactory, UserFactory
from ..querycount import same_api_list_at_5_and_50
from .factories import make_contribution, make_toolkit, moderate_every_third

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def contribution(community, member, toolkit):
    return make_contribution(author=member, community=community, toolkit=toolkit)


def _page_of_100(path: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}page_size=100"


def test_toolkits(base, community, manager, member):
    def make(n: int) -> None:
        for _ in range(n):
            make_toolkit(actor=manager, community=community)

    same_api_list_at_5_and_50(make, token_client(member), _page_of_100(f"{base}/toolkits/"))


def test_challenges(base, community, manager, toolkit):
    def make(n: int) -> None:
        for i in range(n):
            services.challenge_create(
                actor=manager,
                community=community,
                title=f"C{i}",
                brief="B",
                toolkits=[toolkit],
                phase="open",
            )

    same_api_list_at_5_and_50(make, token_client(manager), _page_of_100(f"{base}/challenges/"))


@pytest.mark.parametrize("sort", list(selectors.FEED_SORTS))
def test_feed_for_each_sort(base, community, member, manager, toolkit, sort):
    challenge = services.challenge_create(
        actor=manager, community=community, title="C", brief="B", phase="open"
    )
    supporter = UserFactory()
    MembershipFactory(community=community, user=supporter)

    def make(n: int) -> None:
        for i in range(n):
            c = make_contribution(
                author=member,
                community=community,
                toolkit=toolkit,
                challenge=challenge if i % 2 else None,
                tags=["noise"],
            )
            if i % 3 == 0:
                services.support_add(user=supporter, contribution=c)

    path = _page_of_100(f"{base}/contributions/?sort={sort}&tag=noise")
    same_api_list_at_5_and_50(make, token_client(supporter), path)


def test_contribution_comments_with_replies(base, contribution, member, moderator):
    def make(n: int) -> None:
        for _ in range(n):
            top = services.comment_create(
                author=member, discussion=contribution.discussion, body="Top"
            )
            services.comment_create(author=moderator, parent=top, body="Reply")

    path = _page_of_100(f"{base}/contributions/{contribution.pk}/comments/")
    same_api_list_at_5_and_50(make, token_client(member), path)


def test_challenge_comments(base, community, manager, member):
    challenge = services.challenge_create(
        actor=manager, community=community, title="C", brief="B", phase="open"
    )

    def make(n: int) -> None:
        for _ in range(n):
            top = services.comment_create(
                author=member, discussion=challenge.discussion, body="Top"
            )
            services.comment_create(author=manager, parent=top, body="Reply")

    path = _page_of_100(f"{base}/challenges/{challenge.pk}/comments/")
    same_api_list_at_5_and_50(make, token_client(member), path)


def test_replies(contribution, member, moderator):
    top = services.comment_create(author=member, discussion=contribution.discussion, body="Top")

    def make(n: int) -> None:
        for _ in range(n):
            services.comment_create(author=moderator, parent=top, body="Reply")

    path = _page_of_100(f"{API}/comments/{top.pk}/replies/")
    same_api_list_at_5_and_50(make, token_client(member), path)


def test_triage(base, community, member, manager, moderator, toolkit):
    scorecard = services.scorecard_create(
        actor=manager,
        community=community,
        title="Fit",
        criteria=[{"label": "Impact", "weight": 1}],
    )

    def make(n: int) -> None:
        for _ in range(n):
            c = make_contribution(author=member, community=community, toolkit=toolkit)
            services.evaluation_submit(
                evaluator=moderator, contribution=c, scorecard=scorecard, scores={"impact": 3}
            )

    same_api_list_at_5_and_50(make, token_client(moderator), f"{base}/triage/", key="columns")


def test_scorecards(base, community, manager, moderator):
    def make(n: int) -> None:
        for i in range(n):
            services.scorecard_create(
                actor=manager,
                community=community,
                title=f"S{i}",
                criteria=[{"label": "Impact", "weight": 1}],
            )

    same_api_list_at_5_and_50(make, token_client(moderator), _page_of_100(f"{base}/scorecards/"))


def test_evaluations(base, community, manager, moderator, contribution):
    def make(n: int) -> None:
        for i in range(n):
            scorecard = services.scorecard_create(
                actor=manager,
                community=community,
                title=f"S{i}",
                criteria=[{"label": "Impact", "weight": 1}],
            )
            services.evaluation_submit(
                evaluator=moderator,
                contribution=contribution,
                scorecard=scorecard,
                scores={"impact": 4},
            )

    path = _page_of_100(f"{base}/contributions/{contribution.pk}/evaluations/")
    same_api_list_at_5_and_50(make, token_client(moderator), path)


def test_search(base, community, member, toolkit):
    def make(n: int) -> None:
        for _ in range(n):
            make_contribution(
                author=member, community=community, toolkit=toolkit, body="The chain squeaks."
            )

    # Search returns at most 20 hits; the count must not grow with them either.
    same_api_list_at_5_and_50(make, token_client(member), f"{base}/search/?q=chain")


@pytest.mark.parametrize("viewer", ["member", "moderator"])
def test_comments_with_hidden_and_held_ones(request, base, contribution, member, moderator,
                                            viewer):  # fmt: skip
    writer = UserFactory()
    MembershipFactory(community=contribution.community, user=writer)
    counter = iter(range(10_000))

    def make(n: int) -> None:
        for _ in range(n):
            top = services.comment_create(
                author=writer, discussion=contribution.discussion, body="Top"
            )
            reply = services.comment_create(author=member, parent=top, body="Reply")
            moderate_every_third(moderator, next(counter), comment=reply)
            moderate_every_third(moderator, next(counter), comment=top)

    client = token_client(request.getfixturevalue(viewer))
    path = _page_of_100(f"{base}/contributions/{contribution.pk}/comments/")
    same_api_list_at_5_and_50(make, client, path)


def test_replies_with_hidden_and_held_ones(contribution, member, moderator):
    top = services.comment_create(author=member, discussion=contribution.discussion, body="Top")
    writer = UserFactory()
    MembershipFactory(community=contribution.community, user=writer)
    counter = iter(range(10_000))

    def make(n: int) -> None:
        for _ in range(n):
            reply = services.comment_create(author=writer, parent=top, body="Reply")
            moderate_every_third(moderator, next(counter), comment=reply)

    path = _page_of_100(f"{API}/comments/{top.pk}/replies/")
    same_api_list_at_5_and_50(make, token_client(member), path)


def test_feed_with_hidden_and_held_contributions(base, community, member, moderator, toolkit):
    writer = UserFactory()
    MembershipFactory(community=community, user=writer)
    counter = iter(range(10_000))

    def make(n: int) -> None:
        for _ in range(n):
            c = make_contribution(author=writer, community=community, toolkit=toolkit)
            moderate_every_third(moderator, next(counter), contribution=c)

    same_api_list_at_5_and_50(make, token_client(member), _page_of_100(f"{base}/contributions/"))
