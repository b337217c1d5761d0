"""One-time form tokens: a double submit or a retried POST of a page form creates one comment,
one reply, one contribution; pages (cached ones too) carry a fresh token in every form; forms
posted without a token work as they always did."""

import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from cocreate.caching.fragments import FORM_TOKEN_PLACEHOLDER
from cocreate.idempotency.models import FormSubmission
from knowledge import services
from knowledge.models import Comment, Contribution

from ..conftest import require_or_skip, uses_postgres

TOKEN = re.compile(r'name="form_token" value="([^"]*)"')


def tokens(response) -> list[str]:
    html = response.content.decode()
    assert FORM_TOKEN_PLACEHOLDER not in html
    return TOKEN.findall(html)


@pytest.fixture
def page(community, idea) -> str:
    return reverse("knowledge:contribution", args=[community.slug, idea.pk])


@pytest.fixture
def comment_url(community, idea) -> str:
    return reverse("knowledge:comment", args=[community.slug, idea.pk])


@pytest.mark.django_db
def test_every_form_of_every_response_gets_its_own_token(client, other_member, page, idea):
    services.comment_create(author=other_member, discussion=idea.discussion, body="First")
    client.force_login(other_member)
    first = tokens(client.get(page))  # the comment form and a reply form
    again = tokens(client.get(page))  # served from the page cache
    assert len(first) == len(again) >= 2
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22}", token) for token in first + again)
    assert len(set(first + again)) == len(first + again)


@pytest.mark.django_db
def test_the_same_token_twice_posts_one_comment(client, other_member, page, comment_url):
    client.force_login(other_member)
    token = tokens(client.get(page))[0]
    data = {"body": "Which wax?", "form_token": token}
    first = client.post(comment_url, data)
    assert first.status_code == 302
    retried = client.post(comment_url, data)
    assert retried.status_code == 302
    assert retried["Location"] == first["Location"]
    assert Comment.objects.filter(author=other_member).count() == 1
    comment = Comment.objects.get()
    assert FormSubmission.objects.get().url == comment.get_absolute_url()
    followed = client.get(retried["Location"], follow=True)
    assert "This was already sent; nothing was posted twice." in followed.content.decode()
    # A new token (the next page's) is a new comment.
    assert client.post(comment_url, {**data, "form_token": tokens(client.get(page))[0]})
    assert Comment.objects.filter(author=other_member).count() == 2


@pytest.mark.django_db
def test_the_same_token_twice_posts_one_reply(client, member, other_member, idea, comment_url):
    top = services.comment_create(author=member, discussion=idea.discussion, body="Top")
    client.force_login(other_member)
    data = {"body": "A reply", "parent": top.pk, "form_token": "reply-token-0123456789"}
    assert client.post(comment_url, data).status_code == 302
    assert client.post(comment_url, data).status_code == 302
    assert Comment.objects.filter(parent=top).count() == 1


@pytest.mark.django_db
def test_a_refused_post_does_not_use_up_its_token(client, other_member, comment_url):
    client.force_login(other_member)
    data = {"body": "", "form_token": "refused-token-0123456789"}
    assert client.post(comment_url, data).status_code == 200  # the form with its error
    assert not FormSubmission.objects.exists()
    assert client.post(comment_url, {**data, "body": "Now with words"}).status_code == 302
    assert Comment.objects.count() == 1


@pytest.mark.django_db
def test_tokens_are_per_user(client, member, other_member, comment_url):
    data = {"body": "Same words", "form_token": "shared-token-0123456789"}
    for user in (member, other_member):
        client.force_login(user)
        assert client.post(comment_url, data).status_code == 302
    assert Comment.objects.count() == 2


@pytest.mark.django_db
def test_posts_without_a_token_work_as_before(client, other_member, comment_url):
    """Old cached pages and clients that send none (or a token we never make)."""
    client.force_login(other_member)
    for data in ({"body": "One"}, {"body": "One"}, {"body": "Two", "form_token": "<bad>"}):
        assert client.post(comment_url, data).status_code == 302
    assert Comment.objects.count() == 3
    assert not FormSubmission.objects.exists()


@pytest.mark.django_db
def test_the_same_token_twice_creates_one_contribution(client, community, member, toolkit):
    client.force_login(member)
    url = reverse("knowledge:contribute", args=[community.slug]) + f"?toolkit={toolkit.pk}"
    form = client.get(url)
    token = tokens(form)[0]
    data = {
        "title": "Quiet hubs",
        "body": "Grease",
        "field_problem": "Noise",
        "action": "submit",
        "form_token": token,
    }
    first = client.post(url, data)
    again = client.post(url, data)
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    assert Contribution.objects.filter(author=member, title="Quiet hubs").count() == 1
    # Without a token, as before: each post is a contribution.
    data.pop("form_token")
    assert client.post(url, {**data, "title": "Loud hubs"}).status_code == 302
    assert Contribution.objects.filter(author=member).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_double_submit_at_once_posts_one_comment(community, idea, other_member, comment_url):
    """Two posts of one form at the same instant (a double click), each on its own database
    connection: one comment, and both answers lead to it."""
    require_or_skip(uses_postgres(), "needs PostgreSQL for concurrent writers")
    barrier = threading.Barrier(4)
    answers: list[str] = []
    lock = threading.Lock()

    def submit() -> None:
        client = Client()
        client.force_login(other_member)
        try:
            barrier.wait(timeout=20)
            response = client.post(
                comment_url, {"body": "Double click", "form_token": "double-click-0123456789"}
            )
            with lock:
                answers.append(response["Location"])
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert Comment.objects.filter(author=other_member).count() == 1
    comment = Comment.objects.get(author=other_member)
    assert len(answers) == 4
    assert set(answers) == {comment.get_absolute_url()}
