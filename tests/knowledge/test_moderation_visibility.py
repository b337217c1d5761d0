"""Knowledge obeys moderation on every read path, page and API: hidden and held contributions
open only for their author and moderators (404 for anyone else) and leave feeds, search and the
triage board; hidden comments keep their place as "Removed by a moderator."; held comments are
seen by their author and moderators only. New members are pre-moderated, and nobody hears of a
post they cannot see until a moderator approves it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cocreate.errors import Conflict
from communities.models import Membership
from events.models import OutboxEvent
from knowledge import selectors, services
from knowledge.models import Challenge, Comment, ModerationState
from moderation import services as moderation
from moderation.models import ModerationSettings

from ..clients import token_client
from ..factories import MembershipFactory, UserFactory
from .factories import make_contribution

pytestmark = pytest.mark.django_db

API = "/api/v1"
REMOVED = "Removed by a moderator."


@pytest.fixture
def newcomer(community):
    """A member who joined just now: not established, so pre-moderated (the default)."""
    user = UserFactory(display_name="Nina Newcomer", handle="nina")
    MembershipFactory(community=community, user=user, joined_at=timezone.now())
    return user


@pytest.fixture
def post(community, member, toolkit):
    return make_contribution(
        author=member,
        community=community,
        toolkit=toolkit,
        title="Ceramic bearings everywhere",
        body="Ceramic bearings last longer.",
    )


def _announced(**lookup):
    """Events about a post for members (the moderation.action event goes to its author)."""
    return OutboxEvent.objects.filter(**lookup).exclude(kind="moderation.action")


def _hide(moderator, reason="Off-topic advertising", **target):
    return moderation.moderation_act(actor=moderator, kind="hide", reason=reason, **target)


def _page(client, user, community, item):
    client.force_login(user)
    return client.get(reverse("knowledge:contribution", args=[community.slug, item.pk]))


# --- Contributions ------------------------------------------------------------------------------


def test_hidden_contribution_is_404_for_others_and_shown_with_reason_to_author_and_moderator(
    client, community, member, moderator, other_member, post
):
    _hide(moderator, contribution=post)
    assert _page(client, other_member, community, post).status_code == 404
    api = f"{API}/communities/{community.slug}/contributions/{post.pk}/"
    assert token_client(other_member).get(api).status_code == 404
    assert token_client(other_member).get(f"{api}comments/").status_code == 404

    for viewer in (member, moderator):
        page = _page(client, viewer, community, post)
        assert page.status_code == 200
        html = page.content.decode()
        assert "Hidden by a moderator" in html
        assert "Off-topic advertising" in html
        assert 'id="moderation-notice"' in html
        data = token_client(viewer).get(api).json()
        assert data["moderation_state"] == "hidden"
        assert data["moderation_reason"] == "Off-topic advertising"
    assert "appeal" in _page(client, member, community, post).content.decode()


def test_hidden_contribution_leaves_feed_search_triage_and_challenge(
    client, community, member, manager, moderator, other_member, toolkit
):
    challenge = services.challenge_create(
        actor=manager, community=community, title="Bearings", brief="Help", phase="open"
    )
    kept = make_contribution(
        author=member, community=community, toolkit=toolkit, title="Kept bearing idea",
        body="Bearing grease", challenge=challenge,
    )  # fmt: skip
    gone = make_contribution(
        author=member, community=community, toolkit=toolkit, title="Gone bearing idea",
        body="Bearing spam", challenge=challenge,
    )  # fmt: skip
    _hide(moderator, contribution=gone)

    feed = list(selectors.contribution_feed(user=other_member, community=community))
    assert [c.pk for c in feed] == [kept.pk]
    assert [c.pk for c in selectors.contribution_feed(user=member, community=community)] == [
        kept.pk
    ]
    hits = selectors.search_contributions(user=member, community=community, query="bearing")
    assert [h.contribution.pk for h in hits] == [kept.pk]
    board = selectors.triage_board(user=manager, community=community)
    assert [c.pk for c in board["submitted"]] == [kept.pk]
    assert list(selectors.my_moderated(user=member, community=community)) == [gone]

    client.force_login(other_member)
    for url in (
        reverse("knowledge:feed", args=[community.slug]),
        reverse("knowledge:search", args=[community.slug]) + "?q=bearing",
        reverse("knowledge:challenge", args=[community.slug, challenge.pk]),
    ):
        html = client.get(url).content.decode()
        assert "Kept bearing idea" in html, url
        assert "Gone bearing idea" not in html, url
    api = token_client(other_member)
    base = f"{API}/communities/{community.slug}"
    assert [c["id"] for c in api.get(f"{base}/contributions/").json()["results"]] == [kept.pk]
    assert [r["id"] for r in api.get(f"{base}/search/?q=bearing").json()["results"]] == [kept.pk]
    staff = token_client(manager).get(f"{base}/triage/").json()
    submitted = next(col for col in staff["columns"] if col["status"] == "submitted")
    assert [c["id"] for c in submitted["contributions"]] == [kept.pk]


def test_moderated_contribution_takes_no_support_comment_or_status(
    community, member, manager, moderator, other_member, post
):
    _hide(moderator, contribution=post)
    with pytest.raises(Conflict):
        services.support_add(user=other_member, contribution=post)
    with pytest.raises(Conflict):
        services.comment_create(author=member, discussion=post.discussion, body="Still here?")
    with pytest.raises(Conflict):
        services.contribution_set_status(
            actor=manager, contribution=post, status="accepted", reason="Great"
        )
    post.refresh_from_db()
    assert (post.support_count, post.comment_count, post.status) == (0, 0, "submitted")


# --- Comments -----------------------------------------------------------------------------------


def test_hidden_comment_keeps_its_place_and_replies_for_others(
    client, community, member, moderator, other_member, post
):
    top = services.comment_create(
        author=other_member, discussion=post.discussion, body="Buy cheap pills"
    )
    reply = services.comment_create(author=member, parent=top, body="Please don't.")
    _hide(moderator, reason="Spam link", comment=top)

    client.force_login(member)
    html = _page(client, member, community, post).content.decode()
    assert REMOVED in html
    assert "Buy cheap pills" not in html
    assert "Otto Other" not in html
    assert "Please don't." in html  # the reply stays readable

    data = (
        token_client(member)
        .get(f"{API}/communities/{community.slug}/contributions/{post.pk}/comments/")
        .json()["results"]
    )
    assert len(data) == 1
    assert data[0]["removed"] is True
    assert (data[0]["body"], data[0]["body_html"], data[0]["author"]) == (None, None, None)
    assert data[0]["moderation_reason"] is None
    assert [r["id"] for r in data[0]["replies"]] == [reply.pk]
    single = token_client(member).get(f"{API}/comments/{top.pk}/").json()
    assert single["removed"] is True and single["body"] is None

    # The author and moderators see the text, the notice and the reason.
    for viewer in (other_member, moderator):
        html = _page(client, viewer, community, post).content.decode()
        assert "Buy cheap pills" in html
        assert "Hidden by a moderator" in html
        assert "Spam link" in html
        body = token_client(viewer).get(f"{API}/comments/{top.pk}/").json()
        assert body["removed"] is False
        assert body["body"] == "Buy cheap pills"
        assert body["moderation_state"] == "hidden"
        assert body["moderation_reason"] == "Spam link"

    # Nobody can reply to a hidden comment.
    with pytest.raises(Conflict):
        services.comment_create(author=member, parent=top, body="More")


def test_hidden_reply_in_replies_window(client, community, member, moderator, other_member, post):
    top = services.comment_create(author=member, discussion=post.discussion, body="Top")
    replies = [
        services.comment_create(author=other_member, parent=top, body=f"Reply {i}")
        for i in range(5)
    ]
    _hide(moderator, reason="Rude", comment=replies[4])
    client.force_login(member)
    html = client.get(reverse("knowledge:replies", args=[community.slug, top.pk])).content.decode()
    assert "Reply 3" in html
    assert "Reply 4" not in html
    assert REMOVED in html
    data = token_client(member).get(f"{API}/comments/{top.pk}/replies/").json()["results"]
    assert [r["removed"] for r in data] == [False] * 4 + [True]
    assert data[4]["body"] is None


def test_premoderated_comment_is_seen_by_author_and_moderators_only(
    client, community, member, moderator, other_member, newcomer, post
):
    held = services.comment_create(
        author=newcomer, discussion=post.discussion, body="First post @person0"
    )
    assert held.moderation_state == ModerationState.PENDING
    post.refresh_from_db()
    assert post.comment_count == 0  # counted once approved
    assert not _announced(payload__comment_id=held.pk).exists()

    api_path = f"{API}/communities/{community.slug}/contributions/{post.pk}/comments/"
    for viewer in (member, other_member):
        assert "First post" not in _page(client, viewer, community, post).content.decode()
        assert token_client(viewer).get(api_path).json()["results"] == []
        assert token_client(viewer).get(f"{API}/comments/{held.pk}/").status_code == 404
    for viewer in (newcomer, moderator):
        html = _page(client, viewer, community, post).content.decode()
        assert "First post" in html
        assert "Waiting for a moderator" in html
        results = token_client(viewer).get(api_path).json()["results"]
        assert [(c["id"], c["moderation_state"]) for c in results] == [(held.pk, "pending")]

    moderation.moderation_act(actor=moderator, kind="approve", reason="Welcome", comment=held)
    post.refresh_from_db()
    assert post.comment_count == 1
    events = _announced(payload__comment_id=held.pk)
    assert {e.kind for e in events} == {"contribution.commented"}
    assert events.get().payload["recipient_id"] == member.pk
    assert "First post" in _page(client, other_member, community, post).content.decode()
    # Approving again is refused and records nothing twice.
    with pytest.raises(Conflict):
        moderation.moderation_act(actor=moderator, kind="approve", reason="Again", comment=held)
    assert _announced(payload__comment_id=held.pk).count() == 1


def test_held_reply_and_mention_are_announced_on_approval_only(
    community, member, moderator, other_member, newcomer, post
):
    top = services.comment_create(author=member, discussion=post.discussion, body="Thoughts?")
    reply = services.comment_create(
        author=newcomer, parent=top, body=f"Yes @{other_member.handle}, see above"
    )
    top.refresh_from_db()
    assert top.reply_count == 0
    assert not _announced(payload__comment_id=reply.pk).exists()
    moderation.moderation_act(actor=moderator, kind="approve", reason="Fine", comment=reply)
    kinds = dict(
        _announced(payload__comment_id=reply.pk).values_list("kind", "payload__recipient_id")
    )
    assert kinds == {
        "comment.reply": member.pk,
        "contribution.commented": member.pk,
        "comment.mention": other_member.pk,
    }
    top.refresh_from_db()
    assert top.reply_count == 1


def test_held_then_hidden_post_is_never_announced_nor_shown(
    client, community, member, moderator, other_member, newcomer, post
):
    held = services.comment_create(author=newcomer, discussion=post.discussion, body="Spam spam")
    _hide(moderator, reason="Spam", comment=held)
    assert not _announced(payload__comment_id=held.pk).exists()
    html = _page(client, other_member, community, post).content.decode()
    assert REMOVED not in html  # never published: no placeholder either
    post.refresh_from_db()
    assert post.comment_count == 0


# --- Pre-moderation of contributions ------------------------------------------------------------


def test_new_members_submission_waits_and_is_announced_on_approval(
    client, community, manager, moderator, other_member, newcomer, toolkit
):
    challenge = services.challenge_create(
        actor=manager, community=community, title="Quiet", brief="B", phase="open"
    )
    item = make_contribution(
        author=newcomer, community=community, toolkit=toolkit, challenge=challenge
    )
    assert item.moderation_state == ModerationState.PENDING
    assert item.first_approval_pending
    assert not OutboxEvent.objects.filter(
        kind="contribution.submitted", payload__contribution_id=item.pk
    ).exists()
    challenge.refresh_from_db()
    assert challenge.contribution_count == 0
    assert _page(client, other_member, community, item).status_code == 404
    html = _page(client, newcomer, community, item).content.decode()
    assert "Waiting for a moderator" in html

    moderation.moderation_act(actor=moderator, kind="approve", reason="OK", contribution=item)
    assert (
        OutboxEvent.objects.filter(
            kind="contribution.submitted", payload__contribution_id=item.pk
        ).count()
        == 1
    )
    challenge.refresh_from_db()
    assert challenge.contribution_count == 1
    assert _page(client, other_member, community, item).status_code == 200
    # Hiding and restoring later announces nothing again.
    _hide(moderator, contribution=item)
    moderation.moderation_act(actor=moderator, kind="restore", reason="OK", contribution=item)
    assert (
        OutboxEvent.objects.filter(
            kind="contribution.submitted", payload__contribution_id=item.pk
        ).count()
        == 1
    )


def test_submitting_a_draft_is_premoderated_too(client, community, newcomer, toolkit):
    draft = make_contribution(author=newcomer, community=community, toolkit=toolkit, submit=False)
    assert draft.moderation_state == ModerationState.VISIBLE  # a draft is private anyway
    client.force_login(newcomer)
    response = client.post(
        reverse("knowledge:submit", args=[community.slug, draft.pk]), follow=True
    )
    assert "A moderator will review your contribution" in response.content.decode()
    draft.refresh_from_db()
    assert (draft.status, draft.moderation_state) == ("submitted", "pending")


def test_established_members_and_communities_without_premoderation_publish_at_once(
    community, member, newcomer, toolkit
):
    assert (
        make_contribution(author=member, community=community, toolkit=toolkit).moderation_state
        == ModerationState.VISIBLE
    )
    ModerationSettings.objects.create(community=community, premoderate_new_members=False)
    community.__dict__.pop("_moderation_settings", None)
    item = make_contribution(author=newcomer, community=community, toolkit=toolkit)
    assert item.moderation_state == ModerationState.VISIBLE


def test_api_submission_by_new_member_reports_pending(community, newcomer, toolkit):
    response = token_client(newcomer).post(
        f"{API}/communities/{community.slug}/contributions/",
        {"toolkit": toolkit.pk, "title": "Hello", "fields": {"problem": "Squeak"}},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["moderation_state"] == "pending"
    assert response.json()["moderation_reason"]


def test_comment_counts_keep_hidden_comments(community, member, moderator, other_member, post):
    """Documented choice: counts are of published comments; hiding one keeps its place (and
    its count), a held one counts from its approval."""
    top = services.comment_create(author=other_member, discussion=post.discussion, body="x")
    _hide(moderator, comment=top)
    post.refresh_from_db()
    assert post.comment_count == 1
    assert Comment.objects.get(pk=top.pk).moderation_state == "hidden"


def test_challenge_thread_hides_for_others(
    client, community, manager, member, moderator, other_member
):
    challenge = services.challenge_create(
        actor=manager, community=community, title="Quiet", brief="B", phase="open"
    )
    top = services.comment_create(
        author=other_member, discussion=challenge.discussion, body="Nasty words"
    )
    _hide(moderator, comment=top)
    client.force_login(member)
    html = client.get(
        reverse("knowledge:challenge", args=[community.slug, challenge.pk])
    ).content.decode()
    assert REMOVED in html and "Nasty words" not in html
    data = (
        token_client(member)
        .get(f"{API}/communities/{community.slug}/challenges/{challenge.pk}/comments/")
        .json()["results"]
    )
    assert data[0]["removed"] is True
    assert Challenge.objects.get(pk=challenge.pk).comment_count == 1


def test_suspended_membership_expiry_restores_participation(community, member):
    membership = Membership.objects.get(community=community, user=member)
    Membership.objects.filter(pk=membership.pk).update(
        status=Membership.Status.SUSPENDED, suspended_until=timezone.now() - timedelta(minutes=1)
    )
    community.__dict__.pop("_membership_cache", None)
    assert selectors.participation_refusal(member, community) is None
