"""Mentions in headless Chromium: a member types "@ma" in the comment box, picks Maya Member
from the suggestions with the keyboard (and, in a reply, with the mouse), posts, and the
comment links to Maya's page; without JavaScript the typed mention still posts and links."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from communities.models import Community
from knowledge import services

from ..factories import (
    TEST_PASSWORD,
    CommunityFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture
def lab():
    org = OrganizationFactory(name="Northwind", slug="northwind")
    community = CommunityFactory(
        organization=org, name="Trail Bike Lab", slug="lab", join_policy=Community.JoinPolicy.OPEN
    )
    people = {}
    for key, name, handle in (
        ("author", "Ana Author", "ana"),
        ("maya", "Maya Member", "maya_member"),
        ("mark", "Mark Mechanic", "mark"),
    ):
        people[key] = UserFactory(display_name=name, handle=handle)
        MembershipFactory(community=community, user=people[key])
    outsider = UserFactory(display_name="Mat Outsider", handle="mat")  # never suggested
    manager = UserFactory(display_name="Mia Manager", handle="mia")
    MembershipFactory(community=community, user=manager, role="manager")
    toolkit = services.toolkit_create(
        actor=manager, community=community, title="Share an idea", fields=[]
    )
    idea = services.contribution_create(
        author=people["author"],
        community=community,
        toolkit=toolkit,
        title="Quieter chains",
        body="Wax them.",
        fields={},
    )
    del outsider
    return community, idea, people


def _sign_in(new_page, user, **context):
    page = new_page(**context)
    page.goto("/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def test_pick_a_member_from_the_suggestions_with_the_keyboard(new_page, lab):
    community, idea, people = lab
    maya_page = f"/c/{community.slug}/members/{people['maya'].pk}/"
    page = _sign_in(new_page, people["author"])
    page.goto(idea.get_absolute_url())

    box = page.locator("#id_body")
    combobox = page.locator("[role=combobox]:has(#id_body)")
    assert combobox.get_attribute("aria-expanded") == "false"
    assert box.get_attribute("aria-autocomplete") == "list"

    box.click()
    box.press_sequentially("Thanks! @ma")
    listbox = page.locator(f"#{box.get_attribute('aria-controls')}")
    listbox.locator("[role=option]").first.wait_for()
    options = listbox.locator("[role=option]")
    texts = [" ".join(text.split()) for text in options.all_inner_texts()]
    assert texts == ["Mark Mechanic @mark", "Maya Member @maya_member"]
    assert combobox.get_attribute("aria-expanded") == "true"
    assert listbox.get_attribute("role") == "listbox"
    status = page.locator(".mentions ~ [role=status]").first
    assert status.inner_text() == "2 suggestions"
    # The first is active; one step down is Maya.
    assert box.get_attribute("aria-activedescendant") == options.nth(0).get_attribute("id")
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == options.nth(1).get_attribute("id")
    assert options.nth(1).get_attribute("aria-selected") == "true"

    # The open list passes axe too.
    results = Axe().run(page, options=WCAG_AA)
    assert results.violations_count == 0, results.generate_report()

    box.press("Enter")
    assert box.input_value() == "Thanks! @maya_member "
    assert combobox.get_attribute("aria-expanded") == "false"
    assert listbox.is_hidden()
    box.press_sequentially("can you help?")

    # Escape closes the list and leaves the text as typed.
    box.press_sequentially(" Also @mar")
    options.first.wait_for()
    box.press("Escape")
    assert listbox.is_hidden() and box.input_value().endswith("Also @mar")
    for _ in range(len(" Also @mar")):
        box.press("Backspace")

    page.click("button:has-text('Post comment')")
    page.wait_for_url(re.compile(r"/ideas/\d+/"))
    link = page.locator("article.k-comment a.mention", has_text="@maya_member")
    link.wait_for()
    assert link.get_attribute("href") == maya_page
    assert "Thanks! @maya_member can you help?" in page.inner_text("article.k-comment")

    # The link leads to Maya: her page in the community, with her handle.
    link.click()
    page.wait_for_url(re.compile(re.escape(maya_page) + "$"))
    assert page.inner_text("h1") == "Maya Member"
    assert "@maya_member" in page.inner_text("main")


def test_a_reply_picks_with_the_mouse(new_page, lab):
    community, idea, people = lab
    services.comment_create(
        author=people["mark"], discussion=idea.discussion, body="Who tried wax?"
    )
    page = _sign_in(new_page, people["author"])
    page.goto(idea.get_absolute_url())
    page.click("summary:has-text('Reply')")
    box = page.locator("textarea[id^=reply-]")
    box.press_sequentially("@MAY")
    option = page.locator("[role=option]", has_text="Maya Member")
    option.wait_for()
    option.click()
    assert box.input_value() == "@maya_member "
    assert box.evaluate("el => el === document.activeElement")  # the focus stayed in the box
    page.click("button:has-text('Post reply')")
    page.locator(f"a.mention[href='/c/{community.slug}/members/{people['maya'].pk}/']").wait_for()

    # A name is shown as text in the list, never as markup.
    zed = UserFactory(display_name="<img src=x onerror=window.__pwn=1> Zed", handle="zed")
    MembershipFactory(community=community, user=zed)
    box = page.locator("#id_body")
    box.press_sequentially("@ze")
    option = page.locator("[role=option]", has_text="Zed")
    option.wait_for()
    assert " ".join(option.inner_text().split()) == "<img src=x onerror=window.__pwn=1> Zed @zed"
    assert page.locator("[role=listbox] img").count() == 0
    assert page.evaluate("window.__pwn === undefined")


def test_without_javascript_a_typed_mention_still_posts_and_links(new_page, lab, browser):
    community, idea, people = lab
    page = _sign_in(new_page, people["author"])
    context = browser.new_context(base_url=page.url.split("/c/")[0], java_script_enabled=False)
    try:
        context.add_cookies(page.context.cookies())
        plain = context.new_page()
        plain.goto(idea.get_absolute_url())
        assert plain.locator("[role=combobox]").count() == 0  # nothing enhanced it
        plain.fill("#id_body", "Ping @maya_member about the wax.")
        plain.click("button:has-text('Post comment')")
        link = plain.locator("article.k-comment a.mention")
        assert link.inner_text() == "@maya_member"
        assert link.get_attribute("href") == f"/c/{community.slug}/members/{people['maya'].pk}/"
    finally:
        context.close()
