import threading
import time

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cocreate.errors import RateLimited
from knowledge.limits import client_ip
from knowledge.models import Comment, Contribution
from knowledge.rendering import count_links
from moderation import ratelimits
from moderation.models import ModerationSettings

from ..clients import token_client
from ..conftest import require_or_skip, uses_postgres
from ..factories import MembershipFactory, UserFactory
from ..knowledge.factories import make_contribution


def test_limit_then_refuse_with_retry_after():
    for _ in range(3):
        ratelimits.hit(scope="t", subject="a", limit=3, period=60)
    with pytest.raises(RateLimited) as excinfo:
        ratelimits.hit(scope="t", subject="a", limit=3, period=60)
    assert 1 <= excinfo.value.retry_after <= 61
    # Another subject has its own allowance.
    ratelimits.hit(scope="t", subject="b", limit=3, period=60)


def test_eight_concurrent_clients_never_exceed_the_limit():
    """Under 8 concurrent clients no more than the limit gets through (atomic increments)."""
    require_or_skip(bool(settings.REDIS_URL), "needs the shared Redis cache")

    if 60 - time.time() % 60 < 3:  # don't straddle two windows
        time.sleep(3.5)
    passed: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def client() -> None:
        barrier.wait(timeout=10)
        for _ in range(10):
            try:
                ratelimits.hit(scope="burst", subject="one", limit=5, period=60)
            except RateLimited:
                continue
            with lock:
                passed.append(1)

    threads = [threading.Thread(target=client) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(passed) == 5


# --- Applied on every create path, page and API -------------------------------------------------

API = "/api/v1"


@pytest.fixture
def post(community, manager, toolkit):
    return make_contribution(author=manager, community=community, toolkit=toolkit)


def _limit(community, **values):
    ModerationSettings.objects.update_or_create(community=community, defaults=values)


@pytest.mark.django_db
def test_page_comment_over_the_limit_is_429_with_the_text_kept(client, community, member, post):

    _limit(community, posts_per_minute=2)
    client.force_login(member)
    url = reverse("knowledge:comment", args=[community.slug, post.pk])
    for i in range(2):
        assert client.post(url, {"body": f"Fine {i}"}).status_code == 302
    response = client.post(url, {"body": "One too many, keep my words"})
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 61
    html = response.content.decode()
    assert "One too many, keep my words" in html  # the form keeps the input
    assert "Try again in" in html and "seconds" in html
    assert Comment.objects.filter(author=member).count() == 2


@pytest.mark.django_db
def test_page_contribution_over_the_limit_is_429_with_the_form_kept(
    client, community, member, toolkit
):

    _limit(community, posts_per_minute=1)
    client.force_login(member)
    url = reverse("knowledge:contribute", args=[community.slug]) + f"?toolkit={toolkit.pk}"
    data = {"title": "Quiet hubs", "body": "Grease", "field_problem": "Noise", "action": "submit"}
    assert client.post(url, data).status_code == 302
    response = client.post(url, {**data, "title": "Second idea in a hurry"})
    assert response.status_code == 429
    assert response["Retry-After"]
    assert "Second idea in a hurry" in response.content.decode()
    assert Contribution.objects.filter(author=member).count() == 1
    # Drafts are private and not limited.
    draft = client.post(url, {**data, "title": "Draft", "action": "draft"})
    assert draft.status_code == 302


@pytest.mark.django_db
def test_api_over_the_limit_is_429_with_retry_after(community, member, toolkit, post):

    _limit(community, posts_per_minute=1)
    api = token_client(member)
    base = f"{API}/communities/{community.slug}"
    comments = f"{base}/contributions/{post.pk}/comments/"
    assert api.post(comments, {"body": "First"}, format="json").status_code == 201
    response = api.post(comments, {"body": "Second"}, format="json")
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "rate_limited"
    assert body["retry_after"] == int(response["Retry-After"]) >= 1
    assert "Try again in" in body["detail"]
    created = api.post(
        f"{base}/contributions/",
        {"toolkit": toolkit.pk, "title": "T", "fields": {"problem": "P"}},
        format="json",
    )
    assert created.status_code == 429
    assert Comment.objects.filter(author=member).count() == 1
    assert not Contribution.objects.filter(author=member).exists()


@pytest.mark.django_db
def test_new_members_links_and_pace_are_tighter(client, community, toolkit, post):

    newcomer = UserFactory()
    MembershipFactory(community=community, user=newcomer, joined_at=timezone.now())
    client.force_login(newcomer)
    url = reverse("knowledge:comment", args=[community.slug, post.pk])
    spam = "Deals: https://a.example https://b.example [c](https://c.example)"
    response = client.post(url, {"body": spam})
    assert response.status_code == 429
    assert "at most 2 links" in response.content.decode()
    assert client.post(url, {"body": "Hello"}).status_code == 302
    assert client.post(url, {"body": "Hello again"}).status_code == 302
    assert client.post(url, {"body": "Third in a minute"}).status_code == 429  # 2 per minute
    assert Comment.objects.filter(author=newcomer).count() == 2


def test_the_client_address_is_remote_addr_not_x_forwarded_for(rf):
    request = rf.post("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert client_ip(request) == "203.0.113.7"


def test_links_are_counted_in_markdown():
    assert count_links("no links here") == 0
    assert count_links("see https://a.example and www.b.example") == 2
    assert count_links("[one](https://a.example) and <https://b.example>") == 2
    assert count_links("[ref][1]\n\n[1]: https://a.example") == 1


@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_api_clients_posting_as_one_member(community, member, post):
    """End to end: 8 clients (threads, each with its own API client) post comments as one
    member at once against real PostgreSQL and Redis: at most the limit (+1 if the minute
    turns) get 201, the others 429, and exactly the accepted comments exist."""

    require_or_skip(bool(settings.REDIS_URL), "needs the shared Redis cache")
    require_or_skip(uses_postgres(), "needs PostgreSQL for concurrent writers")
    limit = 4
    _limit(community, posts_per_minute=limit)
    path = f"{API}/communities/{community.slug}/contributions/{post.pk}/comments/"
    token_client(member)  # create the token once, before the threads race for it
    if 60 - time.time() % 60 < 5:  # don't straddle two windows
        time.sleep(5.5)
    statuses: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def client() -> None:
        api = token_client(member)
        try:
            barrier.wait(timeout=20)
            for i in range(3):
                response = api.post(path, {"body": f"Burst {i}"}, format="json")
                with lock:
                    statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=client) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(statuses) == 24
    accepted = statuses.count(201)
    assert 1 <= accepted <= limit + 1
    assert statuses.count(429) == 24 - accepted
    assert Comment.objects.filter(author=member).count() == accepted


@pytest.mark.django_db
def test_submitting_drafts_over_the_limit_is_429_on_page_and_api(
    client, community, member, toolkit
):

    _limit(community, posts_per_minute=1)
    drafts = [
        make_contribution(author=member, community=community, toolkit=toolkit, submit=False)
        for _ in range(3)
    ]
    client.force_login(member)

    def url(draft):
        return reverse("knowledge:submit", args=[community.slug, draft.pk])

    assert client.post(url(drafts[0])).status_code == 302
    refused = client.post(url(drafts[1]))
    assert refused.status_code == 429
    assert refused["Retry-After"]
    assert "Try again in" in refused.content.decode()
    response = token_client(member).post(
        f"{API}/communities/{community.slug}/contributions/{drafts[2].pk}/submit/"
    )
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    for draft in drafts:
        draft.refresh_from_db()
    assert [d.status for d in drafts] == ["submitted", "draft", "draft"]
