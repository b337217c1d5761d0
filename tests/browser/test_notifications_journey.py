"""A notifications journey in headless Chromium: a member is @mentioned in a comment, sees the
bell's count, opens the notification from the inbox and lands on the comment; then turns
mentions off (the next mention makes no notification) and to email (the next one is mailed).

Needs the bell in the site header: ``notifications.context_processors.bell`` in the template
context processors and ``{% include "notifications/_bell.html" %}`` in templates/base.html."""

import re

import pytest
from django.core import mail

from notifications.models import Notification

from ..notifications.support import make_lab
from .test_knowledge_journey import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _bell(page) -> str:
    page.reload()
    return page.locator("[data-notification-bell]").get_attribute("data-unread")


def test_mention_bell_open_and_preferences(new_page):
    lab = make_lab()
    mail.outbox.clear()

    # 1. The author mentions the peer in a comment (a real commit: the outbox delivers it).
    comment = lab.mention(body=f"Have you tried this, @{lab.peer.handle}?")
    assert Notification.objects.filter(recipient=lab.peer).count() == 1

    # 2. The peer sees the count on the bell, on any page.
    peer = _sign_in(new_page, lab.peer)
    peer.goto(lab.community.get_absolute_url())
    bell = peer.locator("[data-notification-bell]")
    assert bell.get_attribute("data-unread") == "1"
    assert "1" in bell.inner_text()

    # 3. The bell leads to the inbox; the notification is marked new and opens the comment.
    bell.click()
    peer.wait_for_url(re.compile(r"/notifications/$"))
    item = peer.locator("li.notif-unread")
    assert "Ana Author mentioned you" in item.inner_text()
    item.locator("button.notif-open").click()
    peer.wait_for_url(re.compile(rf"/ideas/{lab.contribution.pk}/#comment-{comment.pk}$"))
    target = peer.locator(f"#comment-{comment.pk}")
    target.wait_for()
    assert "Have you tried this" in target.inner_text()
    assert _bell(peer) == "0"

    # 4. Mentions off: the next mention makes no notification.
    peer.goto("/notifications/preferences/")
    peer.select_option("#id_topic_mentions", "off")
    peer.click("button:has-text('Save settings')")
    peer.wait_for_selector("text=Your notification settings are saved.")
    assert peer.locator("#id_topic_mentions").input_value() == "off"
    lab.mention(body=f"Still there, @{lab.peer.handle}?")
    assert Notification.objects.filter(recipient=lab.peer).count() == 1
    assert _bell(peer) == "0"

    # 5. Mentions by email: the next mention is mailed right away (and shows on the bell).
    peer.goto("/notifications/preferences/")
    peer.select_option("#id_topic_mentions", "email")
    peer.click("button:has-text('Save settings')")
    peer.wait_for_selector("text=Your notification settings are saved.")
    mail.outbox.clear()
    lab.mention(body=f"Last call, @{lab.peer.handle}!")
    assert [m.to for m in mail.outbox] == [[lab.peer.email]]
    assert mail.outbox[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert _bell(peer) == "1"

    # 6. Mark all read empties the bell; following from the notification works too.
    peer.goto("/notifications/")
    peer.locator("li.notif-item").first.locator("button:has-text('Follow')").click()
    peer.wait_for_selector("text=You follow")
    peer.click("button:has-text('Mark all read')")
    peer.wait_for_selector("text=All notifications are marked read.")
    assert peer.locator("li.notif-unread").count() == 0
    assert _bell(peer) == "0"
    assert lab.contribution.discussion.follows.filter(user=lab.peer).count() == 1


@pytest.mark.parametrize("width", [390, 1280])
def test_notification_tabs_are_one_row_that_wraps_on_phones(new_page, width):
    """Notifications / My impact / Settings sit side by side as tabs (not stacked), the current
    one marked; on a phone they stay inside the screen."""
    lab = make_lab()
    page = _sign_in(new_page, lab.peer, width=width)
    for path in ("/notifications/", "/notifications/impact/", "/notifications/preferences/"):
        page.goto(path)
        tabs = page.locator("nav.notif-tabs a")
        assert tabs.count() == 3
        boxes = [tabs.nth(i).bounding_box() for i in range(3)]
        assert boxes[0]["y"] == boxes[1]["y"] == boxes[2]["y"], (path, boxes)
        assert boxes[0]["x"] < boxes[1]["x"] < boxes[2]["x"]
        assert max(b["x"] + b["width"] for b in boxes) <= width
        assert page.locator("nav.notif-tabs a[aria-current=page]").count() == 1
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (path, overflow)
