"""The consent journey in headless Chromium.

A newcomer joins a community accepting its required purpose and leaving the optional one off
(neither is ticked for them); later grants the optional one on "Privacy & consent" and withdraws
it again, in the same number of clicks; a manager records a use of the newcomer's idea (a use
for the withdrawn purpose is refused on the form, with the reason) and the newcomer sees the use
on "How my knowledge is used".
"""

import re

import pytest

from communities.models import Membership
from moderation.models import ModerationSettings
from trust import services
from trust.models import ConsentEvent, ConsentState, UsageRecord, UsageRefusal

from ..factories import (
    TEST_PASSWORD,
    CommunityFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)
from ..knowledge.factories import make_contribution, make_toolkit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(new_page, user):
    page = new_page()
    page.goto("/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


@pytest.fixture
def lab():
    org = OrganizationFactory(name="Northwind", slug="northwind")
    community = CommunityFactory(
        organization=org, name="Trail Bike Lab", slug="trail-bike-lab", join_policy="open"
    )
    ModerationSettings.objects.create(community=community, premoderate_new_members=False)
    manager = UserFactory(display_name="Mia Manager")
    MembershipFactory(community=community, user=manager, role="manager")
    purposes = {}
    for key, title, required in (
        ("product", "Use my ideas in product development", True),
        ("marketing", "Quote me by name in marketing", False),
    ):
        purpose = services.purpose_create(
            actor=manager,
            community=community,
            key=key,
            title=title,
            summary=f"In plain words: {title.lower()}.",
            text=f"The full text of “{title}”.",
            required=required,
        )
        services.purpose_publish(actor=manager, purpose=purpose)
        purposes[key] = purpose
    toolkit = make_toolkit(actor=manager, community=community)
    return community, manager, purposes, toolkit


def test_join_grant_withdraw_use_and_see_it(new_page, lab):
    community, manager, purposes, toolkit = lab
    newcomer = UserFactory(display_name="Nico Newcomer")
    page = _sign_in(new_page, newcomer)

    # Joining: the purposes in plain words, nothing ticked for the newcomer.
    page.goto(f"/c/{community.slug}/")
    page.get_by_role("link", name="Join community").click()
    page.wait_for_url(re.compile(r"/join/$"))
    assert "In plain words: use my ideas in product development." in page.content()
    product_box = page.locator("#consent-product")
    marketing_box = page.locator("#consent-marketing")
    assert not product_box.is_checked() and not marketing_box.is_checked()
    # Leaving the required one off is refused with the reason, and nothing is written.
    page.get_by_role("button", name="Join community").click()
    assert "To join, accept" in page.content()
    assert not Membership.objects.filter(user=newcomer).exists()
    page.locator("#consent-product").check()
    page.get_by_role("button", name="Join community").click()
    page.wait_for_url(re.compile(rf"/c/{community.slug}/$"))
    assert Membership.objects.get(user=newcomer, community=community).status == "active"
    assert [(e.purpose.key, e.channel) for e in ConsentEvent.objects.filter(user=newcomer)] == [
        ("product", "join")
    ]

    # Privacy & consent, from the account navigation.
    page.get_by_role("link", name=newcomer.public_name).click()
    page.get_by_role("link", name="Privacy & consent").click()
    page.wait_for_url(re.compile(r"/me/consent/$"))
    row = page.locator(f"#consent-{purposes['marketing'].pk}")
    assert row.locator("[data-state]").get_attribute("data-state") == "unanswered"

    grant_clicks = 0
    row.get_by_role("button", name="Give consent").click()
    grant_clicks += 1
    row = page.locator(f"#consent-{purposes['marketing'].pk}")
    row.get_by_role("button", name="Withdraw consent").wait_for()
    assert ConsentState.objects.get(user=newcomer, purpose=purposes["marketing"]).granted

    withdraw_clicks = 0
    row.get_by_role("button", name="Withdraw consent").click()
    withdraw_clicks += 1
    row = page.locator(f"#consent-{purposes['marketing'].pk}")
    row.get_by_role("button", name="Give consent").wait_for()
    assert not ConsentState.objects.get(user=newcomer, purpose=purposes["marketing"]).granted
    assert withdraw_clicks == grant_clicks == 1

    # The newcomer shares an idea; a manager records uses of it.
    idea = make_contribution(
        author=newcomer, community=community, toolkit=toolkit, title="A quieter freehub"
    )
    staff = _sign_in(new_page, manager)
    staff.goto(idea.get_absolute_url())
    staff.get_by_role("link", name="Consent, restrictions and uses").click()
    staff.wait_for_url(re.compile(rf"/ideas/{idea.pk}/use/$"))
    staff.get_by_label("Purpose").select_option(label="Quote me by name in marketing")
    staff.get_by_label("What was used, and how").fill("Quoted in the spring newsletter")
    staff.get_by_label("Where").fill("Spring newsletter")
    staff.get_by_role("button", name="Record the use").click()
    assert "The author has withdrawn consent for this purpose." in staff.content()
    assert UsageRefusal.objects.filter(reason="withdrawn").count() == 1
    staff.get_by_label("Purpose").select_option(label="Use my ideas in product development")
    staff.get_by_label("What was used, and how").fill("Put on the roadmap")
    staff.get_by_label("Where").fill("Roadmap Q3")
    staff.get_by_role("button", name="Record the use").click()
    staff.wait_for_url(re.compile(rf"/ideas/{idea.pk}/use/$"))
    assert UsageRecord.objects.filter(contribution=idea).count() == 1

    # The contributor sees it on "How my knowledge is used".
    page.goto("/me/consent/")
    page.get_by_role("link", name="How my knowledge is used").first.click()
    page.wait_for_url(re.compile(r"/me/uses/$"))
    table = page.locator("table")
    assert "Roadmap Q3" in table.inner_text() and "Mia Manager" in table.inner_text()
    assert "A quieter freehub" in table.inner_text()
