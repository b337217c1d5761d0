"""Cached directory cards, filter forms and API rows: a change shows on the very next request,
and one viewer's membership, private communities or time zone never reach another viewer.

Each test warms the cache first (the fragments live in the shared cache between requests)."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from cocreate.caching import fragments, pages
from communities import services
from communities.api import CommunitySerializer
from communities.models import Community, Membership

from ..factories import CommunityFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("communities:directory")
API = "/api/v1/communities/"


def _html(client, url=DIRECTORY, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def _card(html: str, name: str) -> str:
    """The directory card of the community called ``name``."""
    start = html.index(f">{name}</a>")
    return html[start : html.index("</li>", start)]


def test_fragments_are_actually_cached(client, community):
    _html(client)
    with translation.override("en"):
        key = fragments.fragment_key(("communities/_directory_filters.html",), ("anything",))
    assert key.startswith(fragments._PREFIX)
    # A second identical request renders no card again: the cache answers.
    rendered = []
    original = fragments.render_to_string

    def spy(name, context=None, *args, **kwargs):
        rendered.append(name)
        return original(name, context, *args, **kwargs)

    fragments.render_to_string = spy
    try:
        _html(client)
    finally:
        fragments.render_to_string = original
    assert rendered == []


def test_community_edit_shows_on_next_request(client, community, manager):
    assert "Trail Bike Lab" in _html(client)
    services.community_update(
        actor=manager, community=community, name="Gravel Lab", tagline="Dust and joy"
    )
    html = _html(client)
    assert "Gravel Lab" in html and "Dust and joy" in html
    assert "Trail Bike Lab" not in html


def test_member_count_and_policy_show_on_next_request(client, open_community, outsider):
    assert "0 members" in _card(_html(client), "Open Garage")
    services.membership_join(user=outsider, community=open_community)
    assert "1 member<" in _card(_html(client), "Open Garage")
    # A save outside the services (the admin, a shell): the card still follows the data.
    open_community.refresh_from_db()
    open_community.member_count = 41
    open_community.join_policy = Community.JoinPolicy.INVITATION
    open_community.save(update_fields=["member_count", "join_policy"])
    card = _card(_html(client), "Open Garage")
    assert "41 members" in card and "By invitation only" in card


def test_organisation_rename_shows_in_cards_and_filter(client, community, organization):
    html = _html(client)
    assert html.count("Northwind") >= 2  # the card and the organisation filter
    organization.name = "Southwind"
    organization.save(update_fields=["name"])
    html = _html(client)
    assert "Northwind" not in html
    assert "Southwind" in _card(html, "Trail Bike Lab")
    assert '<option value="northwind">Southwind</option>' in html


def test_firm_filter_follows_new_firms_visibility_and_own_memberships(client, community):
    """The firms the filter offers are remembered, but never past a change that alters them:
    a new public community's firm, a community turned private, and (for a signed-in viewer)
    their own membership in a private one. A join elsewhere leaves the remembered list."""
    other_firm = OrganizationFactory(name="Eastwind", slug="eastwind")
    option = '<option value="eastwind">Eastwind</option>'
    assert option not in _html(client)
    hidden = CommunityFactory(
        organization=other_firm, visibility=Community.Visibility.PUBLIC, name="East Lab"
    )
    assert option in _html(client)
    hidden.visibility = Community.Visibility.PRIVATE
    hidden.save(update_fields=["visibility"])
    assert option not in _html(client)
    person = UserFactory()
    client.force_login(person)
    assert option not in _html(client)
    MembershipFactory(community=hidden, user=person)
    assert option in _html(client)


def test_filter_form_shows_each_request_its_own_values(client, community):
    html = _html(client, q="trail", sort="popular")
    assert 'value="trail"' in html
    assert '<option value="popular" selected>' in html
    html = _html(client, q="bike", sort="new")
    assert 'value="trail"' not in html and 'value="bike"' in html
    assert '<option value="new" selected>' in html
    html = _html(client)
    assert 'value="bike"' not in html and '<option value="popular" selected>' not in html


def test_membership_badge_is_only_for_its_viewer(client, community, member, outsider):
    client.force_login(member)
    assert "badge-ok" in _card(_html(client), "Trail Bike Lab")
    client.force_login(outsider)
    assert "badge-ok" not in _card(_html(client), "Trail Bike Lab")
    client.logout()
    assert "badge-ok" not in _card(_html(client), "Trail Bike Lab")
    # And the member's own badge follows their status on the next request.
    client.force_login(member)
    membership = Membership.objects.get(user=member, community=community)
    membership.status = Membership.Status.SUSPENDED
    membership.save(update_fields=["status"])
    card = _card(_html(client), "Trail Bike Lab")
    assert "Suspended" in card and "badge-ok" not in card


def test_private_community_never_reaches_outsiders(client, private_community, member, outsider):
    client.force_login(member)
    assert "Secret Kitchen" in _html(client)
    client.force_login(outsider)
    assert "Secret Kitchen" not in _html(client)
    client.logout()
    assert "Secret Kitchen" not in _html(client)


def test_each_viewer_keeps_their_own_csrf_token(client, community):
    first = client.get(DIRECTORY)
    other = type(client)()
    second = other.get(DIRECTORY)
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value


def test_time_zone_and_language_are_part_of_the_key(community):
    templates = ("communities/_directory_card.html",)
    with translation.override("en"):
        english = fragments.fragment_key(templates, (1,))
    with translation.override("de"):
        german = fragments.fragment_key(templates, (1,))

    with translation.override("en"), timezone.override("Asia/Tokyo"):
        tokyo = fragments.fragment_key(templates, (1,))
    assert len({english, german, tokyo}) == 3


# --- API list: plain rows must equal the serializer, and follow the data ------------------


def _api(client, **params) -> list[dict]:
    response = client.get(API, params)
    assert response.status_code == 200
    return response.json()["results"]


@pytest.mark.parametrize("ordering", ["name", "popular", "new"])
def test_api_rows_equal_the_serializer(client, community, private_community, member, ordering):
    CommunityFactory.create_batch(3, organization=community.organization)
    MembershipFactory(
        community=CommunityFactory(organization=community.organization, name="Pending Place"),
        user=member,
        status=Membership.Status.PENDING,
    )
    client.force_login(member)
    rows = _api(client, ordering=ordering)
    assert len(rows) == 6
    for row in rows:
        community_obj = Community.objects.select_related("organization").get(slug=row["slug"])
        community_obj.viewer_membership = Membership.objects.filter(
            community=community_obj, user=member
        ).first()
        assert row == CommunitySerializer(community_obj).data


def test_api_rows_follow_changes_and_viewer(client, open_community, member, outsider):
    client.force_login(outsider)
    (row,) = [r for r in _api(client) if r["slug"] == "open-garage"]
    assert row["viewer_membership"] is None and row["member_count"] == 0
    services.membership_join(user=outsider, community=open_community)
    (row,) = [r for r in _api(client) if r["slug"] == "open-garage"]
    assert row["viewer_membership"] == {"role": "member", "status": "active"}
    assert row["member_count"] == 1
    client.force_login(member)
    (row,) = [r for r in _api(client) if r["slug"] == "open-garage"]
    assert row["viewer_membership"] is None and row["member_count"] == 1
    slugs = {r["slug"] for r in _api(client)}
    client.force_login(UserFactory())
    assert "secret-kitchen" in slugs
    assert "secret-kitchen" not in {r["slug"] for r in _api(client)}


# --- Whole pages for anonymous visitors -------------------------------------------------------


def _token_in(html: str) -> str:
    marker = 'name="csrfmiddlewaretoken" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


@pytest.mark.parametrize("url", [DIRECTORY, reverse("communities:home", args=["trail-bike-lab"])])
def test_anonymous_pages_carry_each_visitors_own_working_csrf_token(url, community):
    tokens = []
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        html = _html(visitor, url)
        assert pages.CSRF_PLACEHOLDER not in html
        token = _token_in(html)
        assert f'"X-CSRFToken": "{token}"' in html
        tokens.append(visitor.cookies["csrftoken"].value)
        # The form on the cached page works: the token matches this visitor's cookie.
        response = visitor.post(reverse("set_language"), {"language": "en", "next": url},
                                HTTP_X_CSRFTOKEN=token)  # fmt: skip
        assert response.status_code == 302
        refused = Client(enforce_csrf_checks=True).post(
            reverse("set_language"), {"language": "en", "csrfmiddlewaretoken": token}
        )
        assert refused.status_code == 403
    assert tokens[0] != tokens[1]


def test_anonymous_home_follows_the_data(client, community, manager, outsider):
    url = reverse("communities:home", args=["trail-bike-lab"])
    assert "Trail Bike Lab" in _html(client, url)
    services.community_update(actor=manager, community=community, description="Bring a pump.")
    assert "Bring a pump." in _html(client, url)
    community.refresh_from_db()
    community.member_count = 77
    community.save(update_fields=["member_count"])
    assert "<dd>77</dd>" in _html(client, url)


def test_anonymous_page_is_not_shared_with_signed_in_people(client, community, member):
    url = reverse("communities:home", args=["trail-bike-lab"])
    assert "Sign in to join" in _html(client, url)
    client.force_login(member)
    html = _html(client, url)
    assert "Sign in to join" not in html and "Leave community" in html
    client.logout()
    assert "Leave community" not in _html(client, url)


def test_messages_are_never_served_from_a_shared_page(client, community, member):
    _html(client)  # the anonymous directory is cached
    client.force_login(member)
    response = client.post(reverse("account_logout"), follow=True)
    assert response.status_code == 200
    assert "You have signed out." in response.content.decode()
    assert "You have signed out." not in _html(client)
