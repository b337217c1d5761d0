"""Finding one's way with only what the screen shows: a member goes from signing in to sharing an
idea by visible links; a manager reaches every staff page from the community's navigation on a
phone; the current page is marked and nothing scrolls sideways.

Set COCREATE_SCREENSHOTS=/some/dir to keep the screenshots (for looking at, never committed)."""

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from communities.models import Community, Membership
from knowledge import services

from ..factories import (
    TEST_PASSWORD,
    CommunityFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def lab():
    org = OrganizationFactory(name="Northwind", slug="northwind")
    community = CommunityFactory(
        organization=org, name="Trail Bike Lab", slug="trail-bike-lab",
        join_policy=Community.JoinPolicy.OPEN,
    )  # fmt: skip
    manager = UserFactory(display_name="Mia Manager")
    member = UserFactory(display_name="Maya Member")
    MembershipFactory(community=community, user=manager, role=Membership.Role.MANAGER)
    MembershipFactory(community=community, user=member)
    toolkit = services.toolkit_create(
        actor=manager, community=community, title="Share an idea", guidance="Tell us.",
        fields=[{"label": "Problem", "type": "long_text", "required": True}],
    )  # fmt: skip
    services.challenge_create(
        actor=manager, community=community, title="Quieter bikes", brief="How?",
        toolkits=[toolkit], deadline=timezone.now() + timedelta(days=14), phase="open",
    )  # fmt: skip
    return community, manager, member


def _sign_in(page, user):
    page.goto("/")
    page.click("header.site-header >> text=Sign in")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _current(page) -> list[str]:
    return page.locator('nav.community-nav a[aria-current="page"]').all_inner_texts()


def _fits(page, width):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at {width}px"


def test_a_member_finds_ideas_challenges_and_shares_an_idea(new_page, lab, tmp_path):
    community, _manager, member = lab
    page = new_page(width=1280)
    _sign_in(page, member)

    page.click("header.site-header >> text=My communities")
    page.click("main >> text=Trail Bike Lab")
    page.wait_for_url("**/c/trail-bike-lab/")
    assert _current(page) == ["Overview"]
    # The home leads to what the community is doing.
    assert page.get_by_role("heading", name="Open challenges").is_visible()
    assert "Quieter bikes" in page.inner_text("main")

    page.click("nav.community-nav >> text=Challenges")
    page.wait_for_url("**/challenges/")
    assert _current(page) == ["Challenges"]
    page.click("main >> text=Quieter bikes")
    page.wait_for_url(re.compile(r"/challenges/\d+/$"))
    assert _current(page) == ["Challenges"]

    page.click("nav.community-nav >> text=Ideas")
    page.wait_for_url("**/ideas/")
    assert _current(page) == ["Ideas"]
    page.click("nav.community-nav >> text=Overview")
    page.click("section.share-card >> text=Share an idea")
    page.wait_for_url("**/ideas/new/**")
    assert _current(page) == ["Ideas"]
    # No staff pages for a member.
    assert page.locator("nav.community-nav .manage-row").count() == 0


@pytest.mark.parametrize("width", [390, 1280])
def test_a_manager_reaches_every_staff_page_from_the_navigation(new_page, lab, width, tmp_path):
    community, manager, _member = lab
    shots = Path(os.environ.get("COCREATE_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    page = new_page(width=width)
    _sign_in(page, manager)
    page.click("header.site-header >> text=My communities")
    page.click("main >> text=Trail Bike Lab")
    page.wait_for_url("**/c/trail-bike-lab/")
    _fits(page, width)
    page.screenshot(path=str(shots / f"nav-home-manager-{width}.png"), full_page=True)

    for label, path in (
        ("Triage", "/triage/"),
        ("Scorecards", "/scorecards/"),
        ("Toolkits", "/toolkits/"),
        ("Moderation", "/moderation/"),
        ("Consent purposes", "/consent/"),
        ("Announcements", "/announce/"),
        ("Join requests", "/manage/requests/"),
        ("Invitations", "/manage/invitations/"),
        ("Settings", "/manage/settings/"),
    ):
        page.click(f"nav.community-nav .manage-row >> text={label}")
        page.wait_for_url(f"**/c/trail-bike-lab{path}")
        assert _current(page) == [label], page.url
        _fits(page, width)
    page.screenshot(path=str(shots / f"nav-settings-manager-{width}.png"), full_page=True)


def test_the_navigation_is_reached_by_keyboard(new_page, lab):
    community, _manager, member = lab
    page = new_page(width=1280)
    _sign_in(page, member)
    page.goto(f"/c/{community.slug}/")
    focused = []
    for _ in range(25):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.textContent.trim()"))
    for label in ("Overview", "Ideas", "Challenges", "Search", "Members"):
        assert label in focused, focused
