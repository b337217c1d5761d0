"""The queue, the log and the appeals list cost the same number of queries for 5 items as for
50, as pages and through the API."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communities.models import Membership
from knowledge import services as knowledge
from moderation import services

from ..api.helpers import token_client
from ..factories import MembershipFactory, UserFactory
from ..knowledge.factories import make_contribution, make_toolkit

pytestmark = pytest.mark.django_db

API = "/api/v1/communities/trail-bike-lab/moderation"
PAGES = "/c/trail-bike-lab/moderation"


def _count(client, path: str, expect_text: str | None = None) -> int:
    # The signed-in user is cached (accounts.auth_cache): count the list, not the first
    # request's user lookup.
    client.get("/api/v1/me/")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, path
    if expect_text is not None:
        assert expect_text in response.content.decode()
    else:
        assert response.json()["results"], "the list under test must not be empty"
    return len(ctx.captured_queries)


def _same_at_5_and_50(add: Callable[[int], None], client, path: str, text: str | None = None):
    add(5)
    at_5 = _count(client, path, text)
    add(45)
    at_50 = _count(client, path, text)
    assert at_5 == at_50, f"{path}: {at_5} queries at 5 items, {at_50} at 50"


@pytest.fixture
def post(community, manager):
    toolkit = make_toolkit(actor=manager, community=community)
    return make_contribution(author=_established(community), community=community, toolkit=toolkit)


def _established(community):
    user = UserFactory()
    m = MembershipFactory(community=community, user=user)
    Membership.objects.filter(pk=m.pk).update(joined_at=timezone.now() - timedelta(days=60))
    return user


@pytest.fixture
def authors(community):
    # Established, so that their comments are published at once (no pre-moderation).
    return [_established(community) for _ in range(4)]


@pytest.fixture
def reporter(community):
    return _established(community)


def _flagged_comments(post, authors, reporter):
    def add(n):
        for i in range(n):
            comment = knowledge.comment_create(
                author=authors[i % len(authors)], contribution=post, body=f"comment {i}"
            )
            services.flag_create(reporter=reporter, comment=comment, reason="spam", note="ad")

    return add


def _hidden_comments(post, authors, moderator):
    def add(n):
        for i in range(n):
            comment = knowledge.comment_create(
                author=authors[i % len(authors)], contribution=post, body=f"comment {i}"
            )
            services.moderation_act(actor=moderator, kind="hide", reason="Rude", comment=comment)

    return add


def _appeals(post, authors, moderator):
    def add(n):
        for i in range(n):
            author = authors[i % len(authors)]
            comment = knowledge.comment_create(author=author, contribution=post, body=f"c {i}")
            action = services.moderation_act(
                actor=moderator, kind="hide", reason="Rude", comment=comment
            )
            services.appeal_create(appellant=author, action=action, text="Please reconsider")

    return add


def test_queue_page(client, moderator, post, authors, reporter):
    client.force_login(moderator)
    _same_at_5_and_50(_flagged_comments(post, authors, reporter), client, f"{PAGES}/", "open flag")


def test_queue_api(moderator, post, authors, reporter):
    _same_at_5_and_50(
        _flagged_comments(post, authors, reporter),
        token_client(moderator),
        f"{API}/queue/?page_size=100",
    )


def test_log_page(client, manager, moderator, post, authors):
    client.force_login(manager)
    _same_at_5_and_50(_hidden_comments(post, authors, moderator), client, f"{PAGES}/log/", "Rude")


def test_log_api(manager, moderator, post, authors):
    _same_at_5_and_50(
        _hidden_comments(post, authors, moderator),
        token_client(manager),
        f"{API}/actions/?page_size=100",
    )


def test_appeals_page(client, manager, moderator, post, authors):
    client.force_login(manager)
    _same_at_5_and_50(
        _appeals(post, authors, moderator), client, f"{PAGES}/appeals/", "Please reconsider"
    )


def test_appeals_api(manager, moderator, post, authors):
    _same_at_5_and_50(
        _appeals(post, authors, moderator), token_client(manager), f"{API}/appeals/?page_size=100"
    )


def test_my_moderation_page(client, moderator, post, authors):
    author = authors[0]
    client.force_login(author)

    def add(n):
        for i in range(n):
            comment = knowledge.comment_create(author=author, contribution=post, body=f"c {i}")
            services.moderation_act(actor=moderator, kind="hide", reason="Rude", comment=comment)

    _same_at_5_and_50(add, client, f"{PAGES}/mine/", "Rude")
