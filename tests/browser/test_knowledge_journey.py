"""A knowledge journey in headless Chromium: a member writes an idea through a toolkit in an
open challenge; another member supports it and comments; a manager answers officially, scores
it and accepts it with a reason; the author sees the reason on the timeline.

Set KNOWLEDGE_SCREENSHOTS=/some/dir to also save desktop and phone screenshots of the feed and
the contribution page (for looking at, never committed)."""

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from communities.models import Community, Membership
from knowledge import services
from knowledge.models import Contribution, Evaluation
from moderation import services as moderation

from ..factories import (
    TEST_PASSWORD,
    CommunityFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("KNOWLEDGE_SCREENSHOTS")


@pytest.fixture
def lab():
    org = OrganizationFactory(name="Northwind", slug="northwind")
    community = CommunityFactory(
        organization=org,
        name="Trail Bike Lab",
        slug="trail-bike-lab",
        join_policy=Community.JoinPolicy.REQUEST,
    )
    people = {}
    for key, name, role in (
        ("manager", "Mia Manager", Membership.Role.MANAGER),
        ("author", "Ana Author", Membership.Role.MEMBER),
        ("peer", "Pete Peer", Membership.Role.MEMBER),
    ):
        people[key] = UserFactory(display_name=name)
        MembershipFactory(community=community, user=people[key], role=role)
    toolkit = services.toolkit_create(
        actor=people["manager"],
        community=community,
        title="Share an idea",
        guidance="Tell us what you see on the trail.",
        fields=[
            {"label": "Problem", "type": "long_text", "required": True,
             "help": "What goes wrong, and when?"},
            {"label": "Who has it", "type": "choice", "choices": ["Riders", "Mechanics"]},
            {"label": "Would pay", "type": "yes_no"},
        ],
    )  # fmt: skip
    challenge = services.challenge_create(
        actor=people["manager"],
        community=community,
        title="Quieter bikes",
        brief="Our bikes **rattle** on descents. How could they be quieter?",
        wanted="Ideas and prototypes",
        toolkits=[toolkit],
        deadline=timezone.now() + timedelta(days=14),
        phase="open",
    )
    services.scorecard_create(
        actor=people["manager"],
        community=community,
        title="Fit",
        criteria=[{"label": "Impact", "weight": 2}, {"label": "Cost", "weight": 1}],
    )
    return community, challenge, people


def _sign_in(new_page, user, width: int = 1280):
    page = new_page(width=width)
    page.goto("/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def test_idea_from_toolkit_to_accepted(new_page, lab):
    community, challenge, people = lab

    # 1. The author finds the open challenge and writes an idea through its toolkit.
    author = _sign_in(new_page, people["author"])
    author.goto(f"/c/{community.slug}/challenges/")
    author.click("text=Quieter bikes")
    author.click("text=Contribute: Share an idea")
    assert "Problem (required)" in author.inner_text("form.k-form")
    author.fill("input[name=title]", "Rubber sleeve on the chain stay")
    author.fill("textarea[name=field_problem]", "The chain slaps the frame on rough descents.")
    author.check("input[name=field_who_has_it][value=Riders]")
    author.check("input[name=field_would_pay][value=yes]")
    author.fill("textarea[name=body]", "A **thin rubber sleeve** would stop the slap.")
    author.fill("input[name=tags]", "noise, frame")
    author.click("button[value=submit]")
    author.wait_for_url(re.compile(r"/ideas/\d+/$"))
    assert "Thank you! Your contribution is published." in author.inner_text("main")
    assert author.inner_text("h1") == "Rubber sleeve on the chain stay"
    idea = Contribution.objects.get(title="Rubber sleeve on the chain stay")
    assert idea.status == "submitted" and idea.challenge_id == challenge.pk
    assert idea.fields == {
        "problem": "The chain slaps the frame on rough descents.",
        "who_has_it": "Riders",
        "would_pay": True,
    }
    idea_path = f"/c/{community.slug}/ideas/{idea.pk}/"

    # 2. Another member finds it in the feed, supports it (htmx) and comments.
    peer = _sign_in(new_page, people["peer"])
    peer.goto(f"/c/{community.slug}/ideas/")
    peer.click("text=Rubber sleeve on the chain stay")
    peer.click("button:has-text('Support this idea')")
    peer.wait_for_selector("button.k-supported")
    assert "1 supporter" in peer.inner_text("#support-box")
    peer.fill("#id_body", "Same on my bike. Would a zip tie work too?")
    peer.click("button:has-text('Post comment')")
    peer.wait_for_selector("text=Same on my bike.")
    peer.goto(f"/c/{community.slug}/ideas/")
    assert "You support this" in peer.inner_text("ol.k-feed")

    # 3. The manager answers officially, scores it and accepts it with a reason.
    manager = _sign_in(new_page, people["manager"])
    manager.goto(idea_path)
    manager.fill("#id_body", "Thanks! We are testing sleeves in the workshop this month.")
    manager.check("#id_official")
    manager.click("button:has-text('Post comment')")
    official = manager.locator("article.k-official")
    official.wait_for()
    assert "Official response" in official.inner_text()
    form = manager.locator("form.k-eval-form")
    form.locator("input[type=radio][value='5']").first.check()
    form.locator("input[type=radio][value='4']").nth(1).check()
    form.locator("textarea").fill("Cheap to make, fits the 2026 frames.")
    form.locator("button:has-text('Save scores')").click()
    manager.wait_for_selector("text=Your evaluation is saved.")
    assert str(Evaluation.objects.get().weighted_score) == "4.67"
    assert "4.67" in manager.inner_text("#evaluation")
    manager.select_option("#id_status", "accepted")
    manager.fill("#id_reason", "It fits our roadmap: sleeves ship with next spring's frames.")
    manager.click("#status-form button[type=submit]")
    manager.wait_for_selector("text=Status changed.")
    idea.refresh_from_db()
    assert idea.status == "accepted"

    # 4. The author sees the decision and its reason on the timeline; scores stay staff-only.
    author.goto(idea_path)
    timeline = author.inner_text("section.k-timeline")
    assert "Accepted" in timeline
    assert "It fits our roadmap: sleeves ship with next spring's frames." in timeline
    assert "by Mia Manager" in timeline
    assert "Official response" in author.inner_text("#comments")
    assert "Cheap to make" not in author.content()
    assert "Evaluation (staff only)" not in author.content()

    if SHOTS:
        out = Path(SHOTS)
        out.mkdir(parents=True, exist_ok=True)
        for width, label in ((1280, "desktop"), (390, "phone")):
            page = _sign_in(new_page, people["peer"], width=width)
            page.goto(f"/c/{community.slug}/ideas/")
            page.screenshot(path=str(out / f"feed-{label}.png"), full_page=True)
            page.goto(idea_path)
            page.screenshot(path=str(out / f"contribution-{label}.png"), full_page=True)
            manager_page = _sign_in(new_page, people["manager"], width=width)
            manager_page.goto(idea_path)
            manager_page.screenshot(
                path=str(out / f"contribution-staff-{label}.png"), full_page=True
            )


def test_new_member_is_premoderated_and_moderation_shows_at_once(new_page, lab):
    """A newcomer's idea waits for review (only they see it, with the notice); once a moderator
    approves it, everyone sees it on the next page load; a hidden comment reads "Removed by a
    moderator." to others while its author still sees the text and the reason."""
    community, challenge, people = lab
    newcomer = UserFactory(display_name="Nico Newcomer")
    MembershipFactory(community=community, user=newcomer, joined_at=timezone.now())
    moderator = UserFactory(display_name="Milo Moderator")
    MembershipFactory(community=community, user=moderator, role=Membership.Role.MODERATOR)

    page = _sign_in(new_page, newcomer)
    page.goto(f"/c/{community.slug}/challenges/{challenge.pk}/")
    page.click("text=Contribute: Share an idea")
    page.fill("input[name=title]", "Cork grips dampen the rattle")
    page.fill("textarea[name=field_problem]", "Handlebar buzz on long descents.")
    page.click("button[value=submit]")
    page.wait_for_url(re.compile(r"/ideas/\d+/$"))
    assert "A moderator will review your contribution" in page.inner_text("main")
    assert "Waiting for a moderator's review" in page.inner_text("#moderation-notice")
    idea = Contribution.objects.get(title="Cork grips dampen the rattle")
    assert idea.moderation_state == "pending"
    idea_path = f"/c/{community.slug}/ideas/{idea.pk}/"

    peer = _sign_in(new_page, people["peer"])
    peer.goto(f"/c/{community.slug}/ideas/")
    assert "Cork grips" not in peer.inner_text("main")
    assert peer.goto(idea_path).status == 404

    moderation.moderation_act(actor=moderator, kind="approve", reason="Welcome", contribution=idea)
    assert peer.goto(idea_path).status == 200
    peer.fill("#id_body", "Cork is heavy, try foam.")
    peer.click("button:has-text('Post comment')")
    peer.wait_for_selector("text=Cork is heavy, try foam.")
    comment = idea.discussion.comments.get()
    moderation.moderation_act(actor=moderator, kind="hide", reason="Off-topic", comment=comment)

    page.goto(idea_path)
    assert "Removed by a moderator." in page.inner_text("#comments")
    assert "Cork is heavy" not in page.inner_text("#comments")
    peer.goto(idea_path)
    own = peer.inner_text(f"#comment-{comment.pk}")
    assert "Cork is heavy, try foam." in own and "Off-topic" in own
