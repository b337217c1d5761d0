"""The community home as a landing page: what it is about, how to share an idea, open challenges
with deadlines, recent and top ideas, the counts that matter, the viewer's own posts waiting for
review, and for staff what waits for them — each app's part shown to those it is for."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from communities.models import Membership
from knowledge import services as knowledge
from knowledge.models import Challenge

from ..factories import UserFactory
from ..knowledge.factories import make_contribution
from ..querycount import same_get_at_5_and_50

pytestmark = pytest.mark.django_db


def home(client, user, community):
    if user is not None:
        client.force_login(user)
    response = client.get(community.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, heading_id: str) -> str:
    match = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', html, re.S)
    return match.group(0) if match else ""


def established(community, user):
    """Past the new-member window: their posts are published at once."""
    Membership.objects.filter(community=community, user=user).update(
        joined_at=timezone.now() - timedelta(days=60)
    )


def newcomer(community, user):
    """Joined just now: their posts wait for a moderator (pre-moderation of new members)."""
    Membership.objects.filter(community=community, user=user).update(joined_at=timezone.now())


def challenge(manager, community, toolkit, title, phase, deadline=None):
    return knowledge.challenge_create(
        actor=manager,
        community=community,
        title=title,
        brief="Tell us.",
        toolkits=[toolkit],
        deadline=deadline,
        phase=phase,
    )


class TestShare:
    def test_a_member_gets_share_an_idea_when_a_toolkit_is_open(
        self, client, community, member, toolkit
    ):
        share = section(home(client, member, community), "share-heading")
        assert f'href="{reverse("knowledge:contribute", args=[community.slug])}"' in share
        assert "Share an idea" in share

    def test_without_a_toolkit_members_are_told_and_managers_shown_what_to_do(
        self, client, community, member, manager
    ):
        share = section(home(client, member, community), "share-heading")
        assert "not open for contributions yet" in share
        assert reverse("knowledge:contribute", args=[community.slug]) not in share
        share = section(home(client, manager, community), "share-heading")
        assert f'href="{reverse("knowledge:toolkits", args=[community.slug])}"' in share

    def test_outsiders_and_anonymous_get_join_not_knowledge(
        self, client, community, outsider, toolkit
    ):
        for user in (None, outsider):
            html = home(client, user, community)
            assert section(html, "share-heading") == ""
            assert section(html, "open-challenges-heading") == ""
            assert "Request to join" in html or "Sign in to join" in html


def test_open_challenges_nearest_deadline_first_and_only_open_ones(
    client, community, member, manager, toolkit
):
    soon = timezone.now() + timedelta(days=3)
    later = timezone.now() + timedelta(days=30)
    challenge(manager, community, toolkit, "Later one", Challenge.Phase.OPEN, later)
    challenge(manager, community, toolkit, "Soon one", Challenge.Phase.OPEN, soon)
    challenge(manager, community, toolkit, "Closed one", Challenge.Phase.CLOSED)
    challenge(manager, community, toolkit, "Draft one", Challenge.Phase.DRAFT)
    panel = section(home(client, member, community), "open-challenges-heading")
    assert panel.index("Soon one") < panel.index("Later one")
    assert "Closed one" not in panel and "Draft one" not in panel
    assert f'datetime="{soon.isoformat(timespec="seconds")[:19]}' in panel.replace("+00:00", "")


def test_no_open_challenge_says_what_to_do_next(client, community, member, manager):
    assert "No challenge is open right now" in section(
        home(client, member, community), "open-challenges-heading"
    )
    panel = section(home(client, manager, community), "open-challenges-heading")
    assert f'href="{reverse("knowledge:challenge_new", args=[community.slug])}"' in panel


def test_recent_and_most_supported_ideas(client, community, member, other_member, toolkit):
    established(community, member)
    quiet = make_contribution(author=member, community=community, toolkit=toolkit, title="Quiet")
    loved = make_contribution(author=member, community=community, toolkit=toolkit, title="Loved")
    knowledge.support_add(user=other_member, contribution=loved)
    panel = section(home(client, other_member, community), "ideas-heading")
    recent, top = panel.split("Most supported")
    assert quiet.title in recent and loved.title in recent
    assert loved.title in top and quiet.title not in top


def test_no_ideas_yet_is_an_invitation(client, community, member, toolkit):
    assert "No ideas yet" in section(home(client, member, community), "ideas-heading")


def test_counts_of_ideas_members_and_ideas_shipped(
    client, community, member, manager, toolkit, outsider
):
    established(community, member)
    ideas = [make_contribution(author=member, community=community, toolkit=toolkit) for _ in "abc"]
    make_contribution(author=member, community=community, toolkit=toolkit, submit=False)  # draft
    for status in ("under_review", "accepted", "in_development", "shipped"):
        knowledge.contribution_set_status(
            actor=manager, contribution=ideas[0], status=status, reason="On its way"
        )
    community.refresh_from_db()
    for user in (member, outsider):
        counts = {
            str(label): value for label, value in client_landing(client, user, community).counts
        }
        assert counts == {"Members": community.member_count, "Ideas": 3, "Ideas shipped": 1}


def client_landing(client, user, community):
    client.force_login(user)
    return client.get(community.get_absolute_url()).context["landing"]


def test_staff_see_what_waits_for_them_members_do_not(
    client, community, member, manager, moderator, pending_applicant, toolkit
):
    # A new member's idea waits for a moderator (pre-moderation); a submitted idea waits for
    # triage once approved; the pending applicant waits for a manager.
    newcomer(community, member)
    make_contribution(author=member, community=community, toolkit=toolkit, title="Held idea")
    established(community, moderator)
    make_contribution(author=moderator, community=community, toolkit=toolkit, title="To triage")
    waiting = {
        str(label): n for label, _url, n in client_landing(client, manager, community).waiting
    }
    assert waiting == {"Join requests": 1, "Moderation queue": 1, "Ideas to triage": 1}
    waiting = {
        str(label): n for label, _url, n in client_landing(client, moderator, community).waiting
    }
    assert waiting == {"Moderation queue": 1, "Ideas to triage": 1}
    assert client_landing(client, member, community).waiting == []
    assert "Waiting for you" not in home(client, member, community)


def test_my_posts_waiting_for_review_are_where_i_look(
    client, community, member, other_member, moderator, toolkit
):
    newcomer(community, member)
    held = make_contribution(author=member, community=community, toolkit=toolkit, title="Mine")
    assert held.moderation_state == "pending"
    established(community, moderator)
    visible = make_contribution(author=moderator, community=community, toolkit=toolkit)
    comment = knowledge.comment_create(
        author=member, discussion=visible.discussion, body="My first words"
    )
    assert comment.moderation_state == "pending"
    panel = section(home(client, member, community), "held-heading")
    assert "Mine" in panel and "My first words" in panel
    assert panel.count("Waiting for review") == 2
    assert f"#comment-{comment.pk}" in panel
    # Nobody else is shown someone's held posts.
    assert section(home(client, other_member, community), "held-heading") == ""


def test_the_home_costs_the_same_at_5_and_50_ideas_and_challenges(
    client, community, manager, toolkit, pending_applicant
):
    author = UserFactory()
    Membership.objects.create(
        community=community,
        user=author,
        status=Membership.Status.ACTIVE,
        joined_at=timezone.now() - timedelta(days=60),
    )

    def add(n):
        for i in range(n):
            idea = make_contribution(author=author, community=community, toolkit=toolkit)
            knowledge.support_add(user=manager, contribution=idea)
            challenge(manager, community, toolkit, f"Challenge {i}", Challenge.Phase.OPEN)

    client.force_login(manager)
    same_get_at_5_and_50(
        add, client, community.get_absolute_url(), contains="Most supported", warm_up=True
    )


def test_the_home_costs_the_same_for_a_member_at_5_and_50(client, community, member, toolkit):
    established(community, member)

    def add(n):
        for _ in range(n):
            make_contribution(author=member, community=community, toolkit=toolkit)

    client.force_login(member)
    same_get_at_5_and_50(add, client, community.get_absolute_url(), contains="Recent")


def test_my_posts_waiting_for_review_are_listed_in_the_feed_too(
    client, community, member, other_member, toolkit
):
    newcomer(community, member)
    make_contribution(author=member, community=community, toolkit=toolkit, title="Held in feed")
    feed = reverse("knowledge:feed", args=[community.slug])
    client.force_login(member)
    panel = section(client.get(feed).content.decode(), "held-heading")
    assert "Held in feed" in panel and "Waiting for review" in panel
    client.force_login(other_member)
    assert "Held in feed" not in client.get(feed).content.decode()
