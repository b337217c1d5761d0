"""One journey per role that uses only what the screen shows, starting from the home page (no
typed addresses; an email's link is followed as a person would click it), at desktop and phone
width:

* a newcomer signs up, finds a community, joins, and shares an idea through the toolkit of an
  open challenge, then comments on a member's idea;
* a manager finds that member's idea from the community home, responds officially, scores it
  and sees the score on the triage board, and sends an announcement;
* a moderator reaches the queue from the community and hides a flagged comment with a reason.
"""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone

from communities.models import Community, Membership
from knowledge import services as knowledge
from knowledge.models import Comment, Contribution, Evaluation, ModerationState
from moderation import services as moderation
from notifications.models import Announcement

from ..factories import (
    TEST_PASSWORD,
    CommunityFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1280, 390]
PASSPHRASE = "a long and unusual passphrase 42"


def _person(community, name, role=Membership.Role.MEMBER):
    user = UserFactory(display_name=name)
    MembershipFactory(community=community, user=user, role=role)
    return user


@pytest.fixture
def lab():
    org = OrganizationFactory(name="Northwind", slug="northwind")
    community = CommunityFactory(
        organization=org, name="Trail Bike Lab", slug="trail-bike-lab",
        tagline="Riders and engineers improving trail bikes together.",
        join_policy=Community.JoinPolicy.OPEN,
    )  # fmt: skip
    CommunityFactory(organization=org, name="Home Audio Insiders", slug="home-audio")
    people = {
        "manager": _person(community, "Mia Manager", Membership.Role.MANAGER),
        "moderator": _person(community, "Milo Moderator", Membership.Role.MODERATOR),
        "maya": _person(community, "Maya Member"),
        "rita": _person(community, "Rita Reporter"),
    }
    toolkit = knowledge.toolkit_create(
        actor=people["manager"], community=community, title="Share an idea",
        guidance="Tell us what you see on the trail.",
        fields=[{"label": "Problem", "type": "long_text", "required": True}],
    )  # fmt: skip
    knowledge.challenge_create(
        actor=people["manager"], community=community, title="Quieter bikes",
        brief="Our bikes rattle on descents. How could they be quieter?", toolkits=[toolkit],
        deadline=timezone.now() + timedelta(days=14), phase="open",
    )  # fmt: skip
    knowledge.scorecard_create(
        actor=people["manager"], community=community, title="Fit",
        criteria=[{"label": "Impact", "weight": 2}, {"label": "Cost", "weight": 1}],
    )  # fmt: skip
    idea = knowledge.contribution_create(
        author=people["maya"], community=community, toolkit=toolkit,
        title="Rubber sleeve on the chain stay", body="It stops the slap.",
        fields={"problem": "The chain slaps the frame."}, submit=True,
    )  # fmt: skip
    return community, idea, people


def _start(new_page, width):
    page = new_page(width=width)
    page.goto("/")
    return page


def _sign_in_from_home(new_page, user, width):
    page = _start(new_page, width)
    page.click("header.site-header >> text=Sign in")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def _open_community(page):
    page.click("header.site-header >> text=My communities")
    page.click("main >> text=Trail Bike Lab")
    page.wait_for_url("**/c/trail-bike-lab/")


def _link_in_last_mail(to: str, pattern: str) -> str:
    messages = [m for m in mail.outbox if to in m.to]
    assert messages, f"no email to {to}"
    match = re.search(pattern, messages[-1].body)
    assert match, messages[-1].body
    return urlsplit(match.group(0)).path


def _main(page) -> str:
    return page.inner_text("main")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_newcomer_signs_up_joins_and_shares_an_idea(new_page, lab, width):
    community, idea, people = lab
    email = f"nia-{width}@example.test"
    page = _start(new_page, width)
    page.click("header.site-header >> text=Sign up")
    page.get_by_label("Display name").fill("Nia Newbie")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password:", exact=True).fill(PASSPHRASE)
    page.get_by_label("Password (again)").fill(PASSPHRASE)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/accounts/confirm-email/")
    # The confirmation link, as clicked in the email.
    page.goto(_link_in_last_mail(email, r"https?://\S+/accounts/confirm-email/\S+"))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/me/communities/")

    page.click("header.site-header >> text=Communities")
    page.click("main >> text=Trail Bike Lab")
    page.wait_for_url("**/c/trail-bike-lab/")
    page.click("button:has-text('Join community')")
    page.wait_for_selector("text=You are now a member")

    # From the home: the open challenge, its toolkit, the idea.
    page.click("section[aria-labelledby=open-challenges-heading] >> text=Quieter bikes")
    page.wait_for_url(re.compile(r"/challenges/\d+/$"))
    page.click("text=Contribute: Share an idea")
    page.fill("input[name=title]", "Foam inside the frame tubes")
    page.fill("textarea[name=field_problem]", "Cables rattle inside the down tube.")
    page.click("button[value=submit]")
    page.wait_for_url(re.compile(r"/ideas/\d+/$"))
    # A new member's first idea waits for a moderator: the page says so and what comes next.
    assert "A moderator will review your contribution" in _main(page)
    mine = Contribution.objects.get(title="Foam inside the frame tubes")
    assert mine.challenge is not None and mine.moderation_state == ModerationState.PENDING

    # The community home lists it as waiting for review, where the newcomer looks for it.
    page.click("nav.community-nav >> text=Overview")
    held = page.locator("section[aria-labelledby=held-heading]").inner_text()
    assert "Foam inside the frame tubes" in held and "Waiting for review" in held

    # A comment on a member's idea, found from the home's ideas.
    page.click(f"section[aria-labelledby=ideas-heading] >> text={idea.title}")
    page.wait_for_url(re.compile(rf"/ideas/{idea.pk}/$"))
    # A mention picked from the suggestions that open as the newcomer types "@ma".
    box = page.locator("#id_body")
    box.click()
    box.press_sequentially("Same here. @ma")
    option = page.locator("[role=option]", has_text="Maya Member")
    option.wait_for()
    option.click()
    box.press_sequentially("did the sleeve survive the winter?")
    handle = people["maya"].handle
    assert box.input_value() == f"Same here. @{handle} did the sleeve survive the winter?"
    page.click("button:has-text('Post comment')")
    page.wait_for_selector("text=Your comment will appear once a moderator has reviewed it.")
    comment = Comment.objects.get(discussion=idea.discussion, author__email=email)
    assert f"@{handle}" in comment.body


@pytest.mark.parametrize("width", WIDTHS)
def test_a_manager_responds_scores_and_announces(new_page, lab, width):
    community, idea, people = lab
    page = _sign_in_from_home(new_page, people["manager"], width)
    _open_community(page)

    page.click(f"section[aria-labelledby=ideas-heading] >> text={idea.title}")
    page.wait_for_url(re.compile(rf"/ideas/{idea.pk}/$"))
    page.fill("#id_body", "Thanks! We are testing sleeves in the workshop this month.")
    page.check("#id_official")
    page.click("button:has-text('Post comment')")
    page.locator("article.k-official").wait_for()
    assert "Official response" in page.locator("article.k-official").inner_text()

    form = page.locator("form.k-eval-form")
    form.locator("input[type=radio][value='5']").first.check()
    form.locator("input[type=radio][value='4']").nth(1).check()
    form.locator("button:has-text('Save scores')").click()
    page.wait_for_selector("text=Your evaluation is saved.")
    assert str(Evaluation.objects.get(contribution=idea).weighted_score) == "4.67"

    page.click("nav.community-nav .manage-row >> text=Triage")
    page.wait_for_url("**/triage/")
    card = page.locator(".k-card", has_text=idea.title)
    assert "4.67" in card.inner_text()

    page.click("nav.community-nav .manage-row >> text=Announcements")
    page.wait_for_url("**/announce/")
    page.get_by_label("Title").fill("Workshop open day")
    page.get_by_label("Message").fill("Come and ride the prototypes on Saturday.")
    page.click("main form button[type=submit]")
    page.wait_for_selector("text=Your announcement is on its way to every member.")
    assert Announcement.objects.filter(
        community_id=community.pk, title="Workshop open day"
    ).exists()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_moderator_hides_a_flagged_comment_from_the_queue(new_page, lab, width):
    community, idea, people = lab
    rude = knowledge.comment_create(
        author=people["rita"], discussion=idea.discussion, body="Only idiots ride loud bikes."
    )
    moderation.flag_create(reporter=people["maya"], comment=rude, reason="abusive")
    page = _sign_in_from_home(new_page, people["moderator"], width)
    _open_community(page)
    waiting = page.locator("section[aria-labelledby=waiting-heading]")
    assert "Moderation queue" in waiting.inner_text()
    waiting.get_by_role("link", name="Moderation queue").click()
    page.wait_for_url("**/moderation/")
    item = page.locator(f"[id='item-comment:{rude.pk}']")
    assert "Only idiots" in item.inner_text()
    item.get_by_role("checkbox").check()
    page.select_option("select[name=action]", "hide")
    page.fill("textarea[name=reason]", "Insults other riders.")
    page.click("button:has-text('Apply to the selected items')")
    page.wait_for_selector("text=1 of 1 items done")
    rude.refresh_from_db()
    assert rude.moderation_state == ModerationState.HIDDEN
    assert rude.moderation_reason == "Insults other riders."
