"""Moderation takes effect on the very next request: a suspended or banned member's next post,
comment, support, submit or flag is refused with a clear reason (page: 403 with the message;
API: 403 JSON) and writes nothing; hidden content disappears for others at once and comes back
when restored."""

from datetime import timedelta

import pytest
from django.urls import reverse

from cocreate.errors import PermissionDenied
from knowledge import services as knowledge
from knowledge.models import Comment, Contribution, Support
from moderation import services
from moderation.models import Flag

from ..clients import token_client
from ..factories import MembershipFactory, UserFactory
from ..knowledge.factories import make_contribution

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def author(community):
    user = UserFactory(display_name="Ari Author")
    MembershipFactory(community=community, user=user)
    return user


@pytest.fixture
def post(community, author, toolkit):
    return make_contribution(
        author=author,
        community=community,
        toolkit=toolkit,
        title="Titanium spokes",
        body="Titanium spokes never rust.",
    )


@pytest.fixture
def draft(community, member, toolkit):
    return make_contribution(
        author=member, community=community, toolkit=toolkit, title="My draft", submit=False
    )


def _counts():
    return (
        Contribution.objects.exclude(status="draft").count(),
        Comment.objects.count(),
        Support.objects.count(),
        Flag.objects.count(),
    )


def _standing(kind, moderator, member, community):
    extra = {"duration": timedelta(days=3)} if kind == "suspend" else {}
    services.moderation_act(
        actor=moderator,
        kind=kind,
        reason="Repeated personal attacks",
        member=member,
        community=community,
        **extra,
    )


@pytest.mark.parametrize(
    ("kind", "says"), [("suspend", "suspended until"), ("ban", "banned from this community")]
)
def test_standing_refuses_the_next_page_posts(
    client, community, member, moderator, toolkit, post, draft, kind, says
):
    client.force_login(member)
    slug = community.slug
    before = _counts()
    _standing(kind, moderator, member, community)
    attempts = [
        (reverse("knowledge:comment", args=[slug, post.pk]), {"body": "Another attack"}),
        (reverse("knowledge:support", args=[slug, post.pk]), {}),
        (reverse("knowledge:submit", args=[slug, draft.pk]), {}),
        (
            reverse("knowledge:contribute", args=[slug]) + f"?toolkit={toolkit.pk}",
            {"title": "New idea", "body": "x", "field_problem": "Squeak", "action": "submit"},
        ),
    ]
    for url, data in attempts:
        response = client.post(url, data)
        assert response.status_code == 403, url
        assert says in response.content.decode(), url
    # As the next request would: a fresh contribution (and community, with no cached standing).
    fresh = Contribution.objects.select_related("community").get(pk=post.pk)
    with pytest.raises(PermissionDenied):
        services.flag_create(reporter=member, contribution=fresh, reason="spam")
    assert _counts() == before
    draft.refresh_from_db()
    assert draft.status == "draft"


@pytest.mark.parametrize(
    ("kind", "says"), [("suspend", "suspended until"), ("ban", "banned from this community")]
)
def test_standing_refuses_the_next_api_posts(
    community, member, moderator, toolkit, post, draft, kind, says
):
    api = token_client(member)
    base = f"{API}/communities/{community.slug}"
    before = _counts()
    _standing(kind, moderator, member, community)
    attempts = [
        (f"{base}/contributions/{post.pk}/comments/", {"body": "Another attack"}),
        (f"{base}/contributions/{post.pk}/support/", None),
        (f"{base}/contributions/{draft.pk}/submit/", None),
        (
            f"{base}/contributions/",
            {"toolkit": toolkit.pk, "title": "New", "fields": {"problem": "Squeak"}},
        ),
        (f"{API}/flags/", {"contribution": post.pk, "reason": "spam"}),
    ]
    for path, body in attempts:
        response = api.post(path, body, format="json")
        assert response.status_code in (403, 404), path
        if path.startswith(base):
            assert response.status_code == 403, path
            assert says in response.json()["detail"], path
    assert _counts() == before


def test_lifting_a_suspension_lets_the_member_post_again(
    client, community, member, moderator, post
):
    _standing("suspend", moderator, member, community)
    services.moderation_act(
        actor=moderator, kind="unsuspend", reason="Served", member=member, community=community
    )
    client.force_login(member)
    response = client.post(
        reverse("knowledge:comment", args=[community.slug, post.pk]), {"body": "Sorry"}
    )
    assert response.status_code == 302
    assert Comment.objects.filter(author=member, body="Sorry").exists()


def test_hide_and_restore_a_contribution_on_the_next_request(
    client, community, author, member, moderator, post
):
    slug = community.slug
    page = reverse("knowledge:contribution", args=[slug, post.pk])
    api_detail = f"{API}/communities/{slug}/contributions/{post.pk}/"
    feed = reverse("knowledge:feed", args=[slug])
    search = reverse("knowledge:search", args=[slug]) + "?q=titanium"
    api = token_client(member)
    client.force_login(member)
    assert client.get(page).status_code == 200

    services.moderation_act(actor=moderator, kind="hide", reason="Copied text", contribution=post)
    assert client.get(page).status_code == 404
    assert api.get(api_detail).status_code == 404
    assert "Titanium spokes" not in client.get(feed).content.decode()
    assert "Titanium spokes" not in client.get(search).content.decode()
    assert api.get(f"{API}/communities/{slug}/contributions/").json()["results"] == []
    assert api.get(f"{API}/communities/{slug}/search/?q=titanium").json()["results"] == []

    client.force_login(author)
    html = client.get(page).content.decode()
    assert "Hidden by a moderator" in html and "Copied text" in html
    assert token_client(author).get(api_detail).json()["moderation_reason"] == "Copied text"

    services.moderation_act(actor=moderator, kind="restore", reason="Appeal", contribution=post)
    client.force_login(member)
    assert client.get(page).status_code == 200
    assert "Hidden by a moderator" not in client.get(page).content.decode()
    assert api.get(api_detail).json()["moderation_state"] == "visible"
    assert "Titanium spokes" in client.get(feed).content.decode()
    assert "Titanium spokes" in client.get(search).content.decode()
    listed = api.get(f"{API}/communities/{slug}/contributions/").json()["results"]
    assert [c["id"] for c in listed] == [post.pk]


def test_hide_and_restore_a_comment_on_the_next_request(
    client, community, author, member, moderator, post
):
    comment = knowledge.comment_create(
        author=author, discussion=post.discussion, body="You are all fools"
    )
    page = reverse("knowledge:contribution", args=[community.slug, post.pk])
    api_path = f"{API}/comments/{comment.pk}/"
    client.force_login(member)
    assert "You are all fools" in client.get(page).content.decode()

    services.moderation_act(actor=moderator, kind="hide", reason="Insult", comment=comment)
    html = client.get(page).content.decode()
    assert "Removed by a moderator." in html
    assert "You are all fools" not in html
    hidden = token_client(member).get(api_path).json()
    assert hidden["removed"] is True and hidden["body"] is None and hidden["author"] is None

    client.force_login(author)
    html = client.get(page).content.decode()
    assert "You are all fools" in html and "Insult" in html

    services.moderation_act(actor=moderator, kind="restore", reason="Fine", comment=comment)
    client.force_login(member)
    html = client.get(page).content.decode()
    assert "You are all fools" in html
    assert "Removed by a moderator." not in html
    assert token_client(member).get(api_path).json()["removed"] is False
