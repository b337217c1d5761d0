"""Wide tables and boards (the transparency report, the moderation log, the triage board) scroll
inside their own region — focusable, labelled, so a keyboard scrolls them too — and the page
itself never scrolls sideways, at phone and desktop width, with rows in them."""

import os
from datetime import timedelta
from pathlib import Path

import pytest

from knowledge import services as knowledge
from moderation import services as moderation

from ..factories import MembershipFactory, UserFactory
from ..notifications.support import make_lab
from .test_knowledge_journey import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG = "A reason that goes on for a while, so the table has something to wrap or to scroll. "


@pytest.fixture
def busy_lab():
    lab = make_lab(slug="lab")
    author = lab.author
    ideas = [lab.contribution]
    for i in range(4):
        ideas.append(
            knowledge.contribution_create(
                author=author,
                community=lab.community,
                toolkit=lab.toolkit,
                title=f"Idea number {i} with a title long enough to wrap on a phone",
                body="Details.",
                fields={"problem": "Squeaks"},
                submit=True,
            )
        )
    for idea, status in zip(ideas, ["under_review", "accepted", "declined"], strict=False):
        knowledge.contribution_set_status(
            actor=lab.manager, contribution=idea, status=status, reason="Triage"
        )
    moderator = UserFactory(display_name="Milo Moderator")
    MembershipFactory(community=lab.community, user=moderator, role="moderator")
    comment = knowledge.comment_create(
        author=lab.peer, discussion=ideas[-1].discussion, body="Rude"
    )
    moderation.moderation_act(actor=moderator, kind="hide", reason=LONG * 3, comment=comment)
    moderation.moderation_act(actor=moderator, kind="lock", reason=LONG, contribution=ideas[-1])
    moderation.moderation_act(
        actor=moderator,
        kind="suspend",
        reason=LONG * 2,
        member=lab.peer,
        community=lab.community,
        duration=timedelta(days=2),
    )
    moderation.moderation_act(
        actor=moderator, kind="warn", reason=LONG, member=author, community=lab.community
    )
    return lab


SCROLLERS = {
    "/c/lab/moderation/transparency/": ".table-wrap",
    "/c/lab/moderation/log/": ".table-wrap",
    "/c/lab/triage/": ".k-board",
}


@pytest.mark.parametrize("width", [390, 1280])
def test_wide_tables_scroll_in_a_labelled_region_and_the_page_does_not(
    new_page, busy_lab, width, tmp_path
):
    shots = Path(os.environ.get("COCREATE_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    page = _sign_in(new_page, busy_lab.manager, width=width)
    for path, selector in SCROLLERS.items():
        page.goto(path)
        region = page.locator(selector).first
        region.wait_for()
        name = path.strip("/").replace("/", "-")
        page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
        assert region.get_attribute("role") == "region", path
        assert (region.get_attribute("aria-label") or "").strip(), path
        assert region.get_attribute("tabindex") == "0", path
        assert region.evaluate("el => getComputedStyle(el).overflowX") == "auto", path
        # Nothing is cut off: what does not fit is inside the region, reachable by scrolling.
        box = region.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (path, box)
        wider = region.evaluate("el => el.scrollWidth > el.clientWidth")
        if wider:
            region.focus()
            for _ in range(3):
                page.keyboard.press("ArrowRight")
            # Keys scroll smoothly, so the position moves a moment after the key press.
            page.wait_for_function(
                "sel => document.querySelector(sel).scrollLeft > 0", arg=selector, timeout=5000
            )
    # The triage board has more columns than any screen is wide: it always scrolls.
    page.goto("/c/lab/triage/")
    assert page.locator(".k-board").evaluate("el => el.scrollWidth > el.clientWidth")
