"""The community's one navigation: every app's pages, shown to those who may use them, on every
page of the community, with the page the viewer is on marked."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from cocreate.permissions import registered as rule_registered
from communities.navigation import links_for, registered

pytestmark = pytest.mark.django_db

MEMBER_ITEMS = ["overview", "ideas", "challenges", "search", "members"]
MODERATOR_MANAGE = ["triage", "scorecards", "moderation"]
MANAGER_MANAGE = [
    "triage",
    "scorecards",
    "toolkits",
    "moderation",
    "consent",
    "announcements",
    "requests",
    "invitations",
    "points_rules",
    "settings",
]
# A wallet is a member's: the firm's staff and platform admins who are not members have none.
WITH_POINTS = [*MEMBER_ITEMS, "points"]


def keys(sections, section):
    return [link.key for link in sections[section]]


def nav_of(html: str) -> str:
    match = re.search(r'<nav class="community-nav".*?</nav>', html, re.S)
    return match.group(0) if match else ""


def current_labels(html: str) -> list[str]:
    return re.findall(r'aria-current="page">([^<]+)</a>', nav_of(html))


def get(user, url):
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_every_item_reverses_and_names_a_declared_rule():
    items = registered()
    assert {item.key for item in items} >= set(MEMBER_ITEMS + MANAGER_MANAGE)
    for item in items:
        reverse(item.url_name, args=["any-slug"])
        assert item.perm is None or rule_registered(item.perm), item.perm


@pytest.mark.parametrize(
    ("role", "community_items", "manage_items"),
    [
        ("outsider", ["overview"], []),
        ("member", WITH_POINTS, []),
        ("moderator", WITH_POINTS, MODERATOR_MANAGE),
        ("manager", WITH_POINTS, MANAGER_MANAGE),
        ("org_staff", MEMBER_ITEMS, MANAGER_MANAGE),
        ("platform_admin", MEMBER_ITEMS, MANAGER_MANAGE),
    ],
)
def test_each_role_sees_what_it_may_use(request, community, role, community_items, manage_items):
    user = request.getfixturevalue(role)
    sections = links_for(user, community, community.get_absolute_url())
    assert keys(sections, "community") == community_items
    assert keys(sections, "manage") == manage_items


def test_anonymous_and_outsiders_see_no_navigation_on_a_public_home(community, outsider):
    assert 'class="community-nav"' not in get(None, community.get_absolute_url())
    assert 'class="community-nav"' not in get(outsider, community.get_absolute_url())


def test_a_member_sees_the_knowledge_pages_from_the_community_home(community, member):
    nav = nav_of(get(member, community.get_absolute_url()))
    for name in ("knowledge:feed", "knowledge:challenges", "knowledge:search"):
        assert reverse(name, args=[community.slug]) in nav
    assert "Manage" not in nav
    assert reverse("knowledge:triage", args=[community.slug]) not in nav


@pytest.mark.parametrize(
    ("url_name", "label"),
    [
        ("communities:home", "Overview"),
        ("communities:members", "Members"),
        ("knowledge:feed", "Ideas"),
        ("knowledge:contribute", "Ideas"),
        ("knowledge:challenges", "Challenges"),
        ("knowledge:search", "Search"),
        ("knowledge:triage", "Triage"),
        ("knowledge:scorecards", "Scorecards"),
        ("knowledge:toolkits", "Toolkits"),
        ("moderation:queue", "Moderation"),
        ("moderation:log", "Moderation"),
        ("moderation:appeals", "Moderation"),
        ("notifications:announce", "Announcements"),
        ("communities:requests", "Join requests"),
        ("communities:invitations", "Invitations"),
        ("communities:settings", "Settings"),
    ],
)
def test_the_same_navigation_is_on_every_page_with_the_current_one_marked(
    community, manager, url_name, label
):
    html = get(manager, reverse(url_name, args=[community.slug]))
    nav = nav_of(html)
    assert nav, f"no community navigation on {url_name}"
    # The whole navigation, not a per-app part of it.
    for name in (
        "knowledge:feed",
        "communities:members",
        "knowledge:toolkits",
        "communities:settings",
    ):
        assert reverse(name, args=[community.slug]) in nav
    assert current_labels(html) == [label]


def test_a_contribution_page_marks_ideas(community, member, idea):
    html = get(member, idea.get_absolute_url())
    assert current_labels(html) == ["Ideas"]


def test_the_site_header_leads_to_communities_notifications_profile(member):
    html = get(member, reverse("communities:mine"))
    header = re.search(r'<header class="site-header">.*?</header>', html, re.S).group(0)
    for name in ("communities:directory", "communities:mine", "notifications:list", "profile_edit"):
        assert reverse(name) in header, name
    assert reverse("communities:create") not in header
    assert reverse("admin:index") not in header
    assert re.search(r'href="/me/communities/" aria-current="page"', header)


def test_staff_get_their_tools_and_admins_the_admin(org_staff, platform_admin):
    staff_header = get(org_staff, reverse("communities:directory"))
    assert reverse("communities:create") in staff_header
    assert reverse("admin:index") not in staff_header
    admin_header = get(platform_admin, reverse("communities:directory"))
    assert reverse("communities:create") in admin_header
    assert reverse("admin:index") in admin_header
