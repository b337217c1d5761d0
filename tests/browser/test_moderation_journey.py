"""Moderation journeys in headless Chromium.

(a) Two members flag a comment; a moderator hides it from the queue with a reason; the author
sees the reason and appeals; the moderator who acted cannot decide, a different one overturns
it, and the comment is visible again.

(b) A new member's first contribution waits in pre-moderation (the author sees that it waits,
other members do not see it in the feed) until a moderator approves it from the queue.

Set MODERATION_SCREENSHOTS=/some/dir to also save desktop and phone screenshots of the queue
and of the author's moderation page (for looking at, never committed).
"""

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from communities.models import Community, Membership
from knowledge import services as knowledge
from knowledge.models import Comment, Contribution, ModerationState
from moderation.models import Appeal, Flag, ModerationAction, ModerationSettings

from ..factories import (
    TEST_PASSWORD,
    CommunityFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("MODERATION_SCREENSHOTS")


def _shoot(new_page, user, path: str, name: str) -> None:
    if not SHOTS:
        return
    out = Path(SHOTS)
    out.mkdir(parents=True, exist_ok=True)
    for width, label in ((1280, "desktop"), (390, "phone")):
        page = _sign_in(new_page, user, width=width)
        page.goto(path)
        page.screenshot(path=str(out / f"{name}-{label}.png"), full_page=True)


def _person(community, name: str, role: str = "member", established: bool = True):
    user = UserFactory(display_name=name)
    membership = MembershipFactory(community=community, user=user, role=role)
    joined = timezone.now() - timedelta(days=60) if established else timezone.now()
    Membership.objects.filter(pk=membership.pk).update(joined_at=joined)
    return user


@pytest.fixture
def lab():
    org = OrganizationFactory(name="Northwind", slug="northwind")
    community = CommunityFactory(
        organization=org,
        name="Trail Bike Lab",
        slug="trail-bike-lab",
        join_policy=Community.JoinPolicy.OPEN,
    )
    ModerationSettings.objects.create(community=community, premoderate_new_members=True)
    people = {
        "manager": _person(community, "Mia Manager", "manager"),
        "mod_one": _person(community, "Milo Moderator", "moderator"),
        "mod_two": _person(community, "Nora Moderator", "moderator"),
        "author": _person(community, "Carl Commenter"),
        "reporter_one": _person(community, "Rita Reporter"),
        "reporter_two": _person(community, "Rob Reporter"),
        "newcomer": _person(community, "Nina Newcomer", established=False),
    }
    toolkit = knowledge.toolkit_create(
        actor=people["manager"],
        community=community,
        title="Share an idea",
        fields=[{"label": "Problem", "type": "long_text", "required": True}],
    )
    idea = knowledge.contribution_create(
        author=people["reporter_one"],
        community=community,
        toolkit=toolkit,
        title="Quieter freehubs",
        body="Grease helps.",
        fields={"problem": "Loud clicking"},
    )
    return community, toolkit, idea, people


def _sign_in(new_page, user, width: int = 1280):
    page = new_page(width=width)
    page.goto("/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def _flag(page, idea_path: str, comment: Comment, reason: str, note: str = ""):
    page.goto(idea_path)
    page.locator(f"#comment-{comment.pk}").get_by_role("link", name="Flag").click()
    page.wait_for_url(re.compile(rf"/comments/{comment.pk}/flag/$"))
    page.get_by_label(reason, exact=True).check()
    if note:
        page.fill("textarea[name=note]", note)
    page.click("button:has-text('Send to the moderators')")
    page.wait_for_url(re.compile(r"/ideas/\d+/"))
    assert "Nobody else learns that you reported it." in page.inner_text("main")


def test_flag_hide_appeal_restore(new_page, lab):
    community, _toolkit, idea, people = lab
    slug = community.slug
    idea_path = f"/c/{slug}/ideas/{idea.pk}/"
    rude = knowledge.comment_create(
        author=people["author"], discussion=idea.discussion, body="Only idiots ride loud hubs."
    )

    # 1. Two members flag the comment, with reasons (one with a note). A phone is enough.
    _flag(_sign_in(new_page, people["reporter_one"], width=390), idea_path, rude, "Abusive")
    _flag(
        _sign_in(new_page, people["reporter_two"]),
        idea_path,
        rude,
        "Other",
        note="Insults other riders.",
    )
    assert Flag.objects.filter(comment=rude, status="open").count() == 2

    # 2. A moderator finds it in the queue with both flags and hides it with a reason.
    _shoot(new_page, people["mod_one"], f"/c/{slug}/moderation/", "queue")
    mod_one = _sign_in(new_page, people["mod_one"])
    mod_one.goto(f"/c/{slug}/moderation/")
    item = mod_one.locator(f"[id='item-comment:{rude.pk}']")
    text = item.inner_text()
    assert "2 open flags" in text and "Abusive (1)" in text and "Insults other riders." in text
    assert "Rita" not in text and "Rob" not in text  # reporters are never named
    item.get_by_role("checkbox").check()
    mod_one.select_option("select[name=action]", "hide")
    mod_one.fill("textarea[name=reason]", "Personal attack on other riders.")
    mod_one.click("button:has-text('Apply to the selected items')")
    mod_one.wait_for_selector("text=1 of 1 items done")
    rude.refresh_from_db()
    assert rude.moderation_state == ModerationState.HIDDEN

    # 3. The author sees the reason where the comment was, and on their moderation page, and
    #    appeals.
    author = _sign_in(new_page, people["author"])
    author.goto(idea_path)
    assert "Personal attack on other riders." in author.inner_text(f"#comment-{rude.pk}")
    author.goto(f"/c/{slug}/moderation/mine/")
    assert "Personal attack on other riders." in author.inner_text("main")
    author.click("a:has-text('Appeal')")
    author.fill("textarea[name=text]", "It was a joke between friends; I apologise.")
    author.click("button:has-text('Send my appeal')")
    author.wait_for_selector("text=Your appeal was sent.")
    assert "Waiting for a decision" in author.inner_text("main")
    _shoot(new_page, people["author"], f"/c/{slug}/moderation/mine/", "mine")

    # 4. The moderator who hid it cannot decide; another moderator overturns it.
    mod_one.goto(f"/c/{slug}/moderation/appeals/")
    assert "a different moderator must decide this appeal" in mod_one.inner_text("main")
    mod_two = _sign_in(new_page, people["mod_two"])
    mod_two.goto(f"/c/{slug}/moderation/appeals/")
    mod_two.get_by_label("Overturn the action").check()
    mod_two.get_by_label("Reason").fill("A joke, and an apology: restored.")
    mod_two.click("button:has-text('Decide')")
    mod_two.wait_for_selector("text=The appeal is decided")
    assert Appeal.objects.get().status == "overturned"
    restore = ModerationAction.objects.get(kind="restore")
    assert restore.actor == people["mod_two"] and restore.reverses.kind == "hide"

    # 5. The comment is visible again to everyone; the author reads the decision.
    reader = _sign_in(new_page, people["reporter_two"])
    reader.goto(idea_path)
    assert "Only idiots ride loud hubs." in reader.inner_text(f"#comment-{rude.pk}")
    author.goto(f"/c/{slug}/moderation/mine/")
    main = author.inner_text("main")
    assert "Action overturned" in main and "A joke, and an apology: restored." in main


def test_new_member_post_waits_for_approval(new_page, lab):
    community, toolkit, _idea, people = lab
    slug = community.slug

    # 1. A new member posts their first contribution: it waits, and they are told so.
    newcomer = _sign_in(new_page, people["newcomer"], width=390)
    newcomer.goto(f"/c/{slug}/ideas/new/?toolkit={toolkit.pk}")
    newcomer.fill("input[name=title]", "Ceramic bearings for hubs")
    newcomer.fill("textarea[name=field_problem]", "Hubs wear out after one winter.")
    newcomer.click("button[value=submit]")
    newcomer.wait_for_url(re.compile(r"/ideas/\d+/$"))
    post = Contribution.objects.get(title="Ceramic bearings for hubs")
    assert post.moderation_state == ModerationState.PENDING
    assert "waiting" in newcomer.inner_text("main").lower()

    # 2. Other members do not see it in the feed.
    peer = _sign_in(new_page, people["reporter_two"])
    peer.goto(f"/c/{slug}/ideas/")
    assert "Ceramic bearings for hubs" not in peer.inner_text("main")

    # 3. A moderator approves it from the queue.
    mod = _sign_in(new_page, people["mod_one"])
    mod.goto(f"/c/{slug}/moderation/?state=pending")
    item = mod.locator(f"[id='item-contribution:{post.pk}']")
    assert "Ceramic bearings for hubs" in item.inner_text()
    assert "Waiting for a moderator" in item.inner_text()
    item.get_by_role("checkbox").check()
    mod.select_option("select[name=action]", "restore")
    mod.fill("textarea[name=reason]", "Welcome! Approved.")
    mod.click("button:has-text('Apply to the selected items')")
    mod.wait_for_selector("text=1 of 1 items done")
    assert ModerationAction.objects.get(contribution=post).kind == "approve"

    # 4. It appears in the feed.
    peer.goto(f"/c/{slug}/ideas/")
    assert "Ceramic bearings for hubs" in peer.inner_text("main")
