"""Knowledge asks moderation through ``knowledge.gates``: moderation's answers are the ones
registered, knowledge's posting paths consult them, and with nothing registered the documented
defaults hold (no rate limit, nothing held for review)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cocreate.errors import RateLimited
from knowledge import gates, services
from knowledge.models import ModerationState
from moderation.ratelimits import check_post
from moderation.trust import holds_for_review

from ..factories import MembershipFactory, UserFactory
from .factories import make_contribution

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(community):
    """Joined just now: moderation holds their posts and limits them tightly."""
    user = UserFactory(display_name="Nina Newcomer")
    MembershipFactory(community=community, user=user, joined_at=timezone.now())
    return user


@pytest.fixture
def bare(monkeypatch):
    """Knowledge as it is with no app registered into its gates."""
    monkeypatch.setattr(gates, "_registered", gates.Gates())


def test_moderation_registers_its_answers_when_the_apps_are_ready():
    assert gates.registered() == gates.Gates(post_rate=check_post, review_hold=holds_for_review)


def test_registering_one_gate_keeps_the_other(monkeypatch):
    monkeypatch.setattr(gates, "_registered", gates.Gates())

    def always_held(*, author, community) -> bool:
        return True

    gates.register(review_hold=always_held)
    assert gates.registered() == gates.Gates(post_rate=gates.no_rate_limit, review_hold=always_held)


def test_without_moderation_a_newcomers_post_is_published_at_once(
    bare, community, newcomer, toolkit
):
    item = make_contribution(author=newcomer, community=community, toolkit=toolkit)
    assert item.moderation_state == ModerationState.VISIBLE
    comment = services.comment_create(author=newcomer, discussion=item.discussion, body="Me again")
    assert comment.moderation_state == ModerationState.VISIBLE


def test_without_moderation_posts_are_not_rate_limited(
    bare, client, community, newcomer, toolkit, manager
):
    post = make_contribution(author=manager, community=community, toolkit=toolkit)
    client.force_login(newcomer)
    url = reverse("knowledge:comment", args=[community.slug, post.pk])
    # Moderation lets a new member post twice a minute; with no gate registered, no limit.
    for i in range(5):
        assert client.post(url, {"body": f"Fine {i}"}).status_code == 302


def test_the_posting_paths_ask_the_registered_gates(
    monkeypatch, client, community, member, toolkit, manager
):
    asked: list[tuple] = []

    def refuse(*, user, community, ip, is_reply, links) -> None:
        asked.append(("rate", user, community, ip, is_reply, links))
        raise RateLimited("Not now.", 42)

    def hold(*, author, community) -> bool:
        asked.append(("hold", author, community))
        return True

    post = make_contribution(author=manager, community=community, toolkit=toolkit)
    monkeypatch.setattr(gates, "_registered", gates.Gates(post_rate=refuse, review_hold=hold))
    held = make_contribution(author=member, community=community, toolkit=toolkit)
    assert held.moderation_state == ModerationState.PENDING  # an established member, held
    assert asked == [("hold", member, community)]

    client.force_login(member)
    response = client.post(
        reverse("knowledge:comment", args=[community.slug, post.pk]),
        {"body": "See https://example.test and https://example.org"},
    )
    assert response.status_code == 429
    assert response["Retry-After"] == "42"
    kind, user, where, ip, is_reply, links = asked[-1]
    assert (kind, user.pk, where.pk, ip, is_reply, links) == (
        "rate",
        member.pk,
        community.pk,
        "127.0.0.1",
        False,
        2,
    )
