"""Journeys through the real pages in headless Chromium: sign up, find, request, approve;
invite, sign in, accept. Plus a layout check at phone and desktop widths."""

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core import mail

from communities.models import Community, Membership

from ..factories import (
    TEST_PASSWORD,
    CommunityFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a long and unusual passphrase 42"


@pytest.fixture
def bike_lab():
    org = OrganizationFactory(name="Northwind", slug="northwind")
    community = CommunityFactory(
        organization=org,
        name="Trail Bike Lab",
        slug="trail-bike-lab",
        tagline="Riders and engineers improving trail bikes together.",
        description="Tell us what breaks and what you wish existed.\n\nEvery idea counts.",
        join_policy=Community.JoinPolicy.REQUEST,
        application_question="What do you ride?",
    )
    CommunityFactory(organization=org, name="Open Garage", slug="open-garage")
    manager = UserFactory(email="mia@example.test", display_name="Mia Manager")
    MembershipFactory(community=community, user=manager, role=Membership.Role.MANAGER)
    return community, manager


def _link_in_last_mail(to: str, pattern: str) -> str:
    messages = [m for m in mail.outbox if to in m.to]
    assert messages, f"no email to {to}"
    match = re.search(pattern, messages[-1].body)
    assert match, messages[-1].body
    return urlsplit(match.group(0)).path


def _sign_in(page, email: str, password: str = TEST_PASSWORD) -> None:
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.click("form.stack-form button[type=submit]")


def test_sign_up_find_request_and_get_approved(new_page, bike_lab):
    community, _manager = bike_lab
    page = new_page()

    page.goto("/accounts/signup/")
    page.get_by_label("Display name").fill("Nia Newbie")
    page.fill("input[name=email]", "newbie@example.test")
    page.fill("input[name=password1]", NEW_PASSWORD)
    page.fill("input[name=password2]", NEW_PASSWORD)
    page.click("form.stack-form button[type=submit]")
    page.wait_for_url("**/accounts/confirm-email/")

    page.goto(_link_in_last_mail("newbie@example.test", r"https?://\S+/accounts/confirm-email/\S+"))
    page.click("form.stack-form button[type=submit]")
    page.wait_for_url("**/me/communities/")

    page.goto("/communities/")
    page.fill("input[name=q]", "trail")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/communities/?q=trail*")
    assert page.locator(".community-card").count() == 1
    page.click("text=Trail Bike Lab")
    page.wait_for_url("**/c/trail-bike-lab/")

    page.get_by_label("What do you ride?").fill("A hardtail I rebuilt myself.")
    page.click("text=Request to join")
    assert page.get_by_text("Your request is waiting for a manager.").is_visible()

    manager_page = new_page()
    manager_page.goto("/accounts/login/?next=/c/trail-bike-lab/manage/requests/")
    _sign_in(manager_page, "mia@example.test")
    manager_page.wait_for_url("**/c/trail-bike-lab/manage/requests/")
    row = manager_page.locator(".request-row", has_text="A hardtail I rebuilt myself.")
    row.get_by_label("Message to the applicant (optional)").fill("Welcome aboard!")
    row.get_by_role("button", name="Approve").click()
    # htmx swaps the decided row in place: no page load, the row says what happened.
    decided = manager_page.locator(".request-decided")
    decided.wait_for()
    assert "is now a member" in decided.inner_text()
    assert manager_page.url.endswith("/c/trail-bike-lab/manage/requests/")

    page.reload()
    assert page.get_by_text("You are a member since").is_visible()
    assert page.get_by_role("button", name="Leave community").is_visible()
    membership = Membership.objects.get(user__email="newbie@example.test", community=community)
    assert membership.status == Membership.Status.ACTIVE


def test_manager_invites_and_invitee_accepts(new_page, bike_lab):
    community, _manager = bike_lab
    UserFactory(email="guest@example.test", display_name="Gus Guest")

    manager_page = new_page()
    manager_page.goto("/accounts/login/")
    _sign_in(manager_page, "mia@example.test")
    manager_page.wait_for_url("**/me/communities/")
    manager_page.goto("/c/trail-bike-lab/manage/invitations/")
    manager_page.get_by_label("Email address").fill("guest@example.test")
    manager_page.get_by_label("Personal message (optional)").fill("We'd love your view.")
    manager_page.get_by_role("button", name="Send invitation").click()
    assert manager_page.get_by_text("Invitation sent to guest@example.test.").is_visible()

    path = _link_in_last_mail("guest@example.test", r"https?://\S+/invitations/\S+/")
    page = new_page()
    page.goto(path)
    assert page.get_by_text("Mia Manager of Northwind invites you").is_visible()
    page.get_by_role("link", name="Sign in to accept").click()
    _sign_in(page, "guest@example.test")
    page.wait_for_url(f"**{path}")
    page.get_by_role("button", name="Accept invitation").click()
    page.wait_for_url("**/c/trail-bike-lab/")
    assert page.get_by_text("Welcome to Trail Bike Lab! You are now a member.").is_visible()
    assert page.get_by_text("You are a member since").is_visible()
    assert Membership.objects.get(user__email="guest@example.test", community=community).is_active


@pytest.mark.parametrize("width", [390, 1280])
def test_pages_fit_the_screen(new_page, bike_lab, width, tmp_path):
    """No sideways scrolling on a phone; screenshots land in $COCREATE_SCREENSHOTS if set."""
    community, _manager = bike_lab
    MembershipFactory(
        community=community,
        user=UserFactory(display_name="Pat Pending"),
        status=Membership.Status.PENDING,
        application_answer="A steel hardtail, a gravel bike and far too many spare parts. " * 3,
    )
    shots = Path(os.environ.get("COCREATE_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    page = new_page(width=width)

    def check(name: str, path: str) -> None:
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
        page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=True)

    check("directory", "/communities/")
    check("home", "/c/trail-bike-lab/")
    check("login", "/accounts/login/")
    _sign_in(page, "mia@example.test")
    page.wait_for_url("**/me/communities/")
    check("home-manager", "/c/trail-bike-lab/")
    check("requests", "/c/trail-bike-lab/manage/requests/")
    check("members", "/c/trail-bike-lab/members/")
    check("invitations", "/c/trail-bike-lab/manage/invitations/")
