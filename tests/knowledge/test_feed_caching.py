"""Cached feed cards and filters: a change shows on the very next request, and one member's
support, drafts or time zone never reach another member's feed.

Each test warms the cache first (the cards live in the shared cache between requests)."""

import pytest
from django.urls import reverse

from communities.models import Membership
from knowledge import services
from knowledge.models import Contribution

from ..clients import token_client
from .factories import make_contribution

pytestmark = pytest.mark.django_db

FEED = reverse("knowledge:feed", args=["trail-bike-lab"])


def _feed(client, **params) -> str:
    response = client.get(FEED, params)
    assert response.status_code == 200
    return response.content.decode()


def _card(html: str, title: str) -> str:
    end = html.index(f">{title}</a>")
    start = html.rindex('<article class="k-item"', 0, end)
    return html[start : html.index("</article>", end)]


def _count(card: str, label: str) -> str:
    """The number after a stat's label in a card."""
    at = card.index(f"<dt>{label}</dt><dd>") + len(f"<dt>{label}</dt><dd>")
    return card[at : card.index("</dd>", at)]


def test_support_shows_on_next_request_for_its_member_only(client, idea, member, other_member):
    client.force_login(other_member)
    card = _card(_feed(client), "Wax the chain")
    assert _count(card, "Supporters") == "0" and "You support this" not in card
    services.support_add(user=other_member, contribution=idea)
    card = _card(_feed(client), "Wax the chain")
    assert _count(card, "Supporters") == "1" and "You support this" in card
    client.force_login(member)
    card = _card(_feed(client), "Wax the chain")
    assert _count(card, "Supporters") == "1" and "You support this" not in card
    client.force_login(other_member)
    services.support_remove(user=other_member, contribution=idea)
    card = _card(_feed(client), "Wax the chain")
    assert _count(card, "Supporters") == "0" and "You support this" not in card


def test_edit_comment_status_and_author_name_show_on_next_request(
    client, idea, member, manager, other_member
):
    client.force_login(other_member)
    _feed(client)
    services.contribution_edit(
        editor=member,
        contribution=idea,
        title="Wax the whole chain",
        body=idea.body,
        fields=idea.fields,
        tags="chains, wax",
    )
    card = _card(_feed(client), "Wax the whole chain")
    assert "#wax" in card
    services.comment_create(
        author=other_member, discussion=idea.discussion, body="Tried it, works."
    )
    assert _count(_card(_feed(client), "Wax the whole chain"), "Comments") == "1"
    services.contribution_set_status(
        actor=manager, contribution=idea, status=Contribution.Status.ACCEPTED, reason="Good."
    )
    assert "Accepted" in _card(_feed(client), "Wax the whole chain")
    member.display_name = "Maya Renamed"
    member.save(update_fields=["display_name"])
    card = _card(_feed(client), "Wax the whole chain")
    assert "Maya Renamed" in card and "Maya Member" not in card


def test_each_member_sees_their_own_time_zone(client, idea, member, other_member):
    other_member.timezone = "Asia/Tokyo"
    other_member.save(update_fields=["timezone"])
    client.force_login(member)
    utc_card = _card(_feed(client), "Wax the chain")
    client.force_login(other_member)
    tokyo_card = _card(_feed(client), "Wax the chain")
    assert 'datetime="' in tokyo_card
    assert "+09:00" in tokyo_card and "+09:00" not in utc_card


def test_drafts_and_filters_stay_with_their_member(
    client, community, member, other_member, toolkit
):
    make_contribution(
        author=member, community=community, toolkit=toolkit, title="Secret plan", submit=False,
        fields={},
    )  # fmt: skip
    client.force_login(member)
    assert "Secret plan" in _feed(client, tag="chains")
    client.force_login(other_member)
    html = _feed(client, tag="chains")
    assert "Secret plan" not in html
    assert 'value="chains"' in html
    assert 'value="chains"' not in _feed(client)


def test_hidden_contribution_leaves_the_feed_on_next_request(client, idea, other_member):
    client.force_login(other_member)
    assert "Wax the chain" in _feed(client)
    idea.status = Contribution.Status.DRAFT
    idea.save(update_fields=["status"])
    assert "Wax the chain" not in _feed(client)


# --- The API list: cached per caller like the feed, and as fresh ----------------------------

API_FEED = "/api/v1/communities/trail-bike-lab/contributions/"


def _api_items(client, **params) -> dict[str, dict]:
    response = client.get(API_FEED, params)
    assert response.status_code == 200
    return {item["title"]: item for item in response.json()["results"]}


def test_api_list_is_served_from_the_cache(idea, other_member, django_assert_max_num_queries):
    client = token_client(other_member)
    first = client.get(API_FEED, {"sort": "top"}).json()
    # A hit: only the community's access check (the token and the caller are cached).
    with django_assert_max_num_queries(1):
        assert client.get(API_FEED, {"sort": "top"}).json() == first
    assert client.get(API_FEED, {"sort": "top", "made_up": "1"}).json() == first  # built


def test_api_list_changes_show_on_next_request_for_the_right_caller(
    idea, member, manager, other_member, toolkit
):
    mine, theirs = token_client(other_member), token_client(member)
    assert _api_items(mine)["Wax the chain"]["supported"] is False
    assert _api_items(theirs)["Wax the chain"]["support_count"] == 0
    services.support_add(user=other_member, contribution=idea)
    assert _api_items(mine)["Wax the chain"]["supported"] is True
    item = _api_items(theirs)["Wax the chain"]
    assert (item["supported"], item["support_count"]) == (False, 1)
    member.display_name = "Maya Renamed"
    member.save(update_fields=["display_name"])
    assert _api_items(mine)["Wax the chain"]["author"]["public_name"] == "Maya Renamed"
    services.contribution_set_status(
        actor=manager, contribution=idea, status=Contribution.Status.ACCEPTED, reason="Good."
    )
    assert _api_items(mine)["Wax the chain"]["status"] == "accepted"
    make_contribution(author=member, community=idea.community, toolkit=toolkit, title="Oil")
    assert set(_api_items(mine)) == {"Wax the chain", "Oil"}
    idea.status = Contribution.Status.DRAFT
    idea.save(update_fields=["status"])
    assert set(_api_items(mine)) == {"Oil"}


def test_api_list_hit_still_checks_access(idea, other_member):
    client = token_client(other_member)
    assert client.get(API_FEED).status_code == 200
    Membership.objects.filter(user=other_member).delete()
    assert client.get(API_FEED).status_code == 404
