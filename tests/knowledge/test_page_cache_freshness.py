"""The contribution page and the feed are served from the page cache (cocreate.caching.pages): every
write a member or staff makes through the services shows on the very next request, for the
person who made it and for everyone else who had the page cached."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cocreate.caching import pages
from communities import services as community_services
from communities.models import Membership
from knowledge import services
from knowledge.models import Contribution
from moderation import services as moderation_services
from moderation.models import ModerationAction

from ..factories import MembershipFactory, UserFactory
from .factories import make_contribution

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(community):
    user = UserFactory(display_name="Rita Reader")
    MembershipFactory(community=community, user=user)
    return user


def _page(client, user, idea) -> str:
    # Sign in only to switch people: signing in saves last_login, which would make every
    # page of theirs a miss and hide a missing bump.
    if client.session.get("_auth_user_id") != str(user.pk):
        client.force_login(user)
    response = client.get(reverse("knowledge:contribution", args=["trail-bike-lab", idea.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _warm(client, idea, *users) -> None:
    for user in users:
        _page(client, user, idea)
        _page(client, user, idea)


def test_new_comment_and_reply_show_for_everyone(client, idea, member, reader, manager):
    _warm(client, idea, member, reader, manager)
    first = services.comment_create(author=reader, body="Wax is messy.", discussion=idea.discussion)
    services.comment_create(
        author=member, body="Use a rag.", discussion=idea.discussion, parent=first
    )
    for user in (member, reader, manager):
        html = _page(client, user, idea)
        assert "Wax is messy." in html and "Use a rag." in html


def test_helpful_official_and_status_show_on_next_request(client, idea, member, reader, manager):
    comment = services.comment_create(
        author=reader, body="Try dry lube.", discussion=idea.discussion
    )
    _warm(client, idea, member, reader)
    assert "k-helpful" not in _page(client, reader, idea)
    services.comment_mark_helpful(actor=member, comment=comment, helpful=True)
    assert "k-helpful" in _page(client, reader, idea)
    services.comment_create(
        author=manager, body="We will test this.", discussion=idea.discussion, official=True
    )
    services.contribution_set_status(
        actor=manager,
        contribution=idea,
        status=Contribution.Status.ACCEPTED,
        reason="Cheap and clean.",
    )
    html = _page(client, member, idea)
    assert "We will test this." in html and "k-official" in html
    assert "Cheap and clean." in html


def test_support_and_follow_show_for_the_member_who_did_it(client, idea, member, reader):
    _warm(client, idea, reader, member)
    html = _page(client, reader, idea)
    assert "Support this idea" in html and "Stop following" not in html
    services.support_add(user=reader, contribution=idea)
    services.follow_set(user=reader, discussion=idea.discussion, following=True)
    html = _page(client, reader, idea)
    assert "You support this" in html and "Withdraw my support" in html
    assert "You follow this." in html and "Stop following" in html
    assert "·" not in html.split('id="support-box"')[1].split("</form>")[0]
    assert "<strong>1</strong> supporter" in html
    # The count changed for everyone; the button only for the reader.
    html = _page(client, member, idea)
    assert "<strong>1</strong> supporter" in html and "You support this" not in html


def test_hidden_by_a_moderator_leaves_everyones_cached_page(client, idea, member, reader, manager):
    comment = services.comment_create(author=reader, body="Buy my wax!", discussion=idea.discussion)
    _warm(client, idea, member, reader)
    moderation_services.moderation_act(
        actor=manager, kind=ModerationAction.Kind.HIDE, reason="Advertising.", comment=comment
    )
    assert "Buy my wax!" not in _page(client, member, idea)
    assert "Removed by a moderator." in _page(client, member, idea)
    # The author sees it hidden, with the reason.
    assert "Advertising." in _page(client, reader, idea)


def test_edit_shows_on_next_request(client, idea, member, reader):
    _warm(client, idea, reader)
    services.contribution_edit(
        editor=member,
        contribution=idea,
        title="Wax the whole chain",
        body="Every link.",
        fields=idea.fields,
        tags=idea.tags,
    )
    assert "Wax the whole chain" in _page(client, reader, idea)


def test_activity_elsewhere_leaves_a_contribution_page_cached(
    client, idea, community, member, reader, toolkit
):
    other = make_contribution(
        author=member, community=community, toolkit=toolkit, title="Oil the hubs"
    )
    supporter = UserFactory(display_name="Sue Supporter")  # not its author: no self-support
    MembershipFactory(community=community, user=supporter)
    _warm(client, idea, reader)
    services.support_add(user=supporter, contribution=other)
    services.comment_create(author=member, body="Hubs too.", discussion=other.discussion)
    with CaptureQueriesContext(connection) as queries:
        html = _page(client, reader, idea)
    assert "Wax the chain" in html
    assert not any("knowledge_" in q["sql"] for q in queries.captured_queries), [
        q["sql"][:120] for q in queries.captured_queries
    ]
    # The feed, which shows every contribution, is rebuilt.
    feed = client.get(reverse("knowledge:feed", args=["trail-bike-lab"])).content.decode()
    assert "Oil the hubs" in feed


def test_a_role_change_reaches_every_contribution_page(client, idea, reader, manager):
    _warm(client, idea, reader)
    moderate = reverse("moderation:contribution", args=["trail-bike-lab", idea.pk])
    assert moderate not in _page(client, reader, idea)
    membership = Membership.objects.get(user=reader, community=idea.community)
    community_services.membership_change_role(
        actor=manager, membership=membership, role=Membership.Role.MANAGER
    )
    assert moderate in _page(client, reader, idea)


def test_cached_comments_keep_each_viewers_own_controls_and_token(client, idea, member, reader):
    comment = services.comment_create(
        author=reader, body="Dry lube works.", discussion=idea.discussion
    )
    edit = reverse("knowledge:comment_edit", args=["trail-bike-lab", comment.pk])
    helpful = reverse("knowledge:comment_helpful", args=["trail-bike-lab", comment.pk])
    mine = _page(client, reader, idea)  # the reader's own comment: they may edit it
    theirs = _page(client, member, idea)  # the idea's author: may mark it helpful
    assert edit in mine and helpful not in mine
    assert edit not in theirs and helpful in theirs
    for html in (mine, theirs):
        assert pages.CSRF_PLACEHOLDER not in html
    # The token in the cached comment's form works for its viewer.
    token = theirs.split(f'action="{helpful}"')[1].split('name="csrfmiddlewaretoken" value="')[1]
    token = token.split('"')[0]
    strict = type(client)(enforce_csrf_checks=True)
    strict.force_login(member)
    strict.cookies = client.cookies
    response = strict.post(helpful, {"csrfmiddlewaretoken": token, "on": "1"})
    assert response.status_code in (200, 302)
    comment.refresh_from_db()
    assert comment.is_helpful


def test_more_comments_partial_carries_a_real_token(client, idea, member, reader):
    for n in range(25):
        services.comment_create(author=reader, body=f"Note {n}", discussion=idea.discussion)
    html = _page(client, member, idea)
    cursor = html.split("cursor=")[1].split("#")[0].split('"')[0]
    url = reverse("knowledge:contribution", args=["trail-bike-lab", idea.pk])
    response = client.get(f"{url}?cursor={cursor}", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Note" in body and 'name="csrfmiddlewaretoken"' in body
    assert pages.CSRF_PLACEHOLDER not in body


def test_discussion_lock_written_in_bulk_shows_on_next_request(client, idea, member, manager):
    # The lock is an update() that no signal reports: only caching.changed makes it show.
    _warm(client, idea, member)
    assert "Discussion locked" not in _page(client, member, idea)
    services.discussion_set_locked(actor=manager, locked=True, discussion=idea.discussion)
    assert "Discussion locked" in _page(client, member, idea)
    services.discussion_set_locked(actor=manager, locked=False, discussion=idea.discussion)
    assert "Discussion locked" not in _page(client, member, idea)
