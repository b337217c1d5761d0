"""The queue, the log and the appeals list cost the same number of queries for 5 items as for
50, as pages and through the API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from communities.models import Membership
from knowledge import services as knowledge
from moderation import services

from ..clients import token_client
from ..factories import MembershipFactory, UserFactory
from ..knowledge.factories import make_contribution, make_toolkit
from ..querycount import same_api_list_at_5_and_50, same_get_at_5_and_50

pytestmark = pytest.mark.django_db

API = "/api/v1/communities/trail-bike-lab/moderation"
PAGES = "/c/trail-bike-lab/moderation"


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
                author=authors[i % len(authors)], discussion=post.discussion, body=f"comment {i}"
            )
            services.flag_create(reporter=reporter, comment=comment, reason="spam", note="ad")

    return add


def _hidden_comments(post, authors, moderator):
    def add(n):
        for i in range(n):
            comment = knowledge.comment_create(
                author=authors[i % len(authors)], discussion=post.discussion, body=f"comment {i}"
            )
            services.moderation_act(actor=moderator, kind="hide", reason="Rude", comment=comment)

    return add


def _appeals(post, authors, moderator):
    def add(n):
        for i in range(n):
            author = authors[i % len(authors)]
            comment = knowledge.comment_create(
                author=author, discussion=post.discussion, body=f"c {i}"
            )
            action = services.moderation_act(
                actor=moderator, kind="hide", reason="Rude", comment=comment
            )
            services.appeal_create(appellant=author, action=action, text="Please reconsider")

    return add


def test_queue_page(client, moderator, post, authors, reporter):
    client.force_login(moderator)
    add = _flagged_comments(post, authors, reporter)
    same_get_at_5_and_50(add, client, f"{PAGES}/", contains="open flag")


def test_queue_api(moderator, post, authors, reporter):
    add = _flagged_comments(post, authors, reporter)
    path = f"{API}/queue/?page_size=100"
    same_api_list_at_5_and_50(add, token_client(moderator), path)


def test_log_page(client, manager, moderator, post, authors):
    client.force_login(manager)
    add = _hidden_comments(post, authors, moderator)
    same_get_at_5_and_50(add, client, f"{PAGES}/log/", contains="Rude")


def test_log_api(manager, moderator, post, authors):
    add = _hidden_comments(post, authors, moderator)
    path = f"{API}/actions/?page_size=100"
    same_api_list_at_5_and_50(add, token_client(manager), path)


def test_appeals_page(client, manager, moderator, post, authors):
    client.force_login(manager)
    add = _appeals(post, authors, moderator)
    same_get_at_5_and_50(add, client, f"{PAGES}/appeals/", contains="Please reconsider")


def test_appeals_api(manager, moderator, post, authors):
    add = _appeals(post, authors, moderator)
    path = f"{API}/appeals/?page_size=100"
    same_api_list_at_5_and_50(add, token_client(manager), path)


def test_my_moderation_page(client, moderator, post, authors):
    author = authors[0]
    client.force_login(author)

    def add(n):
        for i in range(n):
            comment = knowledge.comment_create(
                author=author, discussion=post.discussion, body=f"c {i}"
            )
            services.moderation_act(actor=moderator, kind="hide", reason="Rude", comment=comment)

    same_get_at_5_and_50(add, client, f"{PAGES}/mine/", contains="Rude")
