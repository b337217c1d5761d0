"""axe-core (through axe-playwright-python) on the pages each role uses, at desktop and phone
width: no WCAG 2.1 A or AA violation. A failure lists each rule, its impact and the elements."""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from communities.models import Community, Membership
from knowledge import services
from trust import services as trust

from ..factories import (
    TEST_PASSWORD,
    CommunityFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

ANONYMOUS_PAGES = ["/communities/", "/c/lab/", "/accounts/login/", "/accounts/signup/"]
MEMBER_PAGES = [
    "/me/communities/",
    "/c/lab/",
    "/c/lab/ideas/",
    "/c/lab/ideas/{idea}/",
    "/c/lab/ideas/new/?toolkit={toolkit}",
    "/c/lab/challenges/",
    "/c/lab/challenges/{challenge}/",
    "/c/lab/search/?q=chain",
    "/c/lab/members/",
    "/c/lab/moderation/transparency/",
    "/notifications/",
    "/notifications/preferences/",
    "/accounts/profile/",
    "/accounts/data/",
    "/accounts/delete/",
    "/me/consent/",
    "/me/uses/",
    "/c/lab/ideas/{idea}/use/",
]
MANAGER_PAGES = [
    "/c/lab/",
    "/c/lab/triage/",
    "/c/lab/scorecards/",
    "/c/lab/toolkits/",
    "/c/lab/moderation/",
    "/c/lab/moderation/log/",
    "/c/lab/moderation/settings/",
    "/c/lab/announce/",
    "/c/lab/manage/requests/",
    "/c/lab/manage/invitations/",
    "/c/lab/manage/settings/",
    "/c/lab/consent/",
    "/c/lab/consent/{purpose}/",
    "/c/lab/consent/uses/",
    "/c/lab/consent/usable/?purpose={purpose}",
    "/c/lab/ideas/{idea}/use/",
    "/communities/new/",
]


@pytest.fixture
def lab():
    org = OrganizationFactory(name="Northwind", slug="northwind")
    community = CommunityFactory(
        organization=org, name="Trail Bike Lab", slug="lab",
        join_policy=Community.JoinPolicy.REQUEST, application_question="What do you ride?",
    )  # fmt: skip
    manager = UserFactory(display_name="Mia Manager")
    member = UserFactory(display_name="Maya Member")
    MembershipFactory(community=community, user=manager, role=Membership.Role.MANAGER)
    MembershipFactory(community=community, user=member)
    MembershipFactory(community=community, status=Membership.Status.PENDING)
    org.staff.create(user=manager)
    toolkit = services.toolkit_create(
        actor=manager, community=community, title="Share an idea", guidance="Tell us.",
        fields=[
            {"label": "Problem", "type": "long_text", "required": True},
            {"label": "Who has it", "type": "choice", "choices": ["Riders", "Mechanics"]},
            {"label": "Would pay", "type": "yes_no"},
        ],
    )  # fmt: skip
    challenge = services.challenge_create(
        actor=manager, community=community, title="Quieter bikes", brief="How?",
        toolkits=[toolkit], deadline=timezone.now() + timedelta(days=14), phase="open",
    )  # fmt: skip
    idea = services.contribution_create(
        author=member, community=community, toolkit=toolkit, title="Wax the chain",
        body="A **waxed** chain is quiet.", fields={"problem": "The chain squeaks"},
        tags="chain", submit=True,
    )  # fmt: skip
    services.comment_create(
        author=manager, discussion=idea.discussion, body="Thanks!", official=True
    )
    services.scorecard_create(
        actor=manager, community=community, title="Fit", criteria=[{"label": "Impact"}]
    )
    purpose = trust.purpose_create(
        actor=manager, community=community, key="product", title="Product development",
        summary="We may use your ideas to build products.", text="The full text.",
    )  # fmt: skip
    trust.purpose_publish(actor=manager, purpose=purpose)
    trust.consent_grant(user=member, purpose=purpose)
    trust.usage_record(
        actor=manager, contribution=idea, purpose=purpose, what="On the roadmap", where="Q3"
    )
    ids = {"idea": idea.pk, "toolkit": toolkit.pk, "challenge": challenge.pk, "purpose": purpose.pk}
    return manager, member, ids


def _sign_in(page, user):
    page.goto("/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _violations(page, paths, ids) -> list[str]:
    axe = Axe()
    found = []
    for template in paths:
        path = template.format(**ids)
        response = page.goto(path)
        assert response is not None and response.status == 200, (path, response and response.status)
        for violation in axe.run(page, options=WCAG_AA).response["violations"]:
            targets = [" ".join(node["target"]) for node in violation["nodes"]][:5]
            found.append(f"{path}: {violation['id']} ({violation['impact']}) {targets}")
    return found


@pytest.mark.parametrize("width", [1280, 390])
def test_pages_have_no_wcag_aa_violations(new_page, lab, width):
    manager, member, ids = lab
    found = _violations(new_page(width=width), ANONYMOUS_PAGES, ids)
    page = new_page(width=width)
    _sign_in(page, member)
    found += _violations(page, MEMBER_PAGES, ids)
    page = new_page(width=width)
    _sign_in(page, manager)
    found += _violations(page, MANAGER_PAGES, ids)
    assert not found, "\n".join(found)


def test_the_check_catches_a_violation(new_page, lab):
    """The harness reports what axe finds: an image without a text alternative fails."""
    page = new_page()
    page.goto("/communities/")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=x>')")
    rules = {v["id"] for v in Axe().run(page, options=WCAG_AA).response["violations"]}
    assert "image-alt" in rules


def test_an_htmx_update_is_announced_and_keeps_the_focus(new_page, lab):
    """Supporting an idea by keyboard: the new count is read out by the live region, and the
    focus stays on the (replaced) button so the next key press acts where the person is."""
    manager, _member, ids = lab
    page = new_page()
    _sign_in(page, manager)
    page.goto(f"/c/lab/ideas/{ids['idea']}/")
    page.focus("#support-button")
    page.keyboard.press("Enter")
    page.wait_for_selector("button.k-supported")
    page.wait_for_function(
        "document.getElementById('live-status').textContent.includes('You support this idea.')"
    )
    assert "1 supporter." in page.inner_text("#live-status")
    assert page.evaluate("document.activeElement.id") == "support-button"
