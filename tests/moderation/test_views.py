"""Moderation pages: what people see and what their forms do, including the clear messages
for refusals."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from communities.models import Membership
from knowledge import services as knowledge
from knowledge.models import Comment, Discussion, ModerationState
from moderation import services
from moderation.models import Appeal, Flag, ModerationAction, ModerationSettings

from ..htmlcheck import duplicate_ids, ids, labels_without_control
from .helpers import established

pytestmark = pytest.mark.django_db

C = "/c/trail-bike-lab"
M = f"{C}/moderation"


def texts(response) -> str:
    return response.content.decode()


def test_flag_page_flow_and_messages(client, community, member, author, comment, post):
    client.force_login(member)
    page = client.get(f"{C}/comments/{comment.pk}/flag/")
    assert page.status_code == 200
    body = texts(page)
    for label in ("Spam", "Off-topic", "Abusive", "Personal data", "Other"):
        assert label in body
    missing_note = client.post(f"{C}/comments/{comment.pk}/flag/", {"reason": "other"})
    assert missing_note.status_code == 200
    assert "Tell the moderators what is wrong." in texts(missing_note)
    assert not Flag.objects.exists()
    done = client.post(f"{C}/comments/{comment.pk}/flag/", {"reason": "spam"}, follow=True)
    assert "Nobody else learns that you reported it." in texts(done)
    again = client.get(f"{C}/comments/{comment.pk}/flag/")
    assert "You have already flagged this." in texts(again)
    client.force_login(author)
    own = client.get(f"{C}/ideas/{post.pk}/flag/")
    assert "You cannot flag your own post." in texts(own)
    assert 'name="reason"' not in texts(own)


def test_flag_page_refuses_non_members(client, org_staff, outsider, comment):
    client.force_login(org_staff)
    refused = client.get(f"{C}/comments/{comment.pk}/flag/")
    assert refused.status_code == 403
    assert "Only active members can flag content." in texts(refused)
    client.force_login(outsider)
    assert client.get(f"{C}/comments/{comment.pk}/flag/").status_code == 404


def test_queue_bulk_action_reports_each_item(client, community, moderator, author, post, comment):
    reporter = established(community, "Rita Reporter")
    services.flag_create(reporter=reporter, comment=comment, reason="abusive", note="Insult")
    other = knowledge.comment_create(author=author, discussion=post.discussion, body="second")
    services.moderation_act(actor=moderator, kind="hide", reason="Earlier", comment=other)
    client.force_login(moderator)
    page = client.get(f"{M}/")
    body = texts(page)
    assert "Buy my chains" in body and "Abusive (1)" in body and "Insult" in body
    assert "Rita" not in body  # reporters are never named
    missing = client.post(f"{M}/", {"action": "hide", "reason": "x"})
    assert missing.status_code == 400 and "Select at least one item." in texts(missing)
    response = client.post(
        f"{M}/",
        {
            "item": [f"comment:{comment.pk}", f"comment:{other.pk}"],
            "action": "hide",
            "reason": "Personal attack",
        },
        follow=True,
    )
    body = texts(response)
    assert "1 of 2 items done" in body
    assert f"Comment #{other.pk}: This is already hidden." in body
    assert Comment.objects.get(pk=comment.pk).moderation_state == ModerationState.HIDDEN
    assert ModerationAction.objects.filter(reason="Personal attack").count() == 1


def test_queue_filters(client, community, moderator, member, comment):
    services.flag_create(reporter=member, comment=comment, reason="spam")
    client.force_login(moderator)
    assert "Buy my chains" in texts(client.get(f"{M}/?kind=comment&reason=spam&state=flagged"))
    assert "Buy my chains" not in texts(client.get(f"{M}/?reason=abusive"))
    assert "Buy my chains" not in texts(client.get(f"{M}/?kind=contribution"))
    assert client.get(f"{M}/?kind=bogus").status_code == 200  # an unknown filter is ignored


def test_queue_page_has_no_duplicate_ids(client, community, moderator, member, post, comment):
    """The filter's flag reason and the bulk action's reason are two controls, two ids."""
    services.flag_create(reporter=member, comment=comment, reason="spam")
    services.flag_create(reporter=member, contribution=post, reason="off_topic")
    client.force_login(moderator)
    for url in (f"{M}/", f"{M}/?reason=spam"):
        body = texts(client.get(url))
        assert 'name="item"' in body  # the bulk form is there, with its reason
        assert duplicate_ids(body) == []
        assert labels_without_control(body) == []
        assert {"id_reason", "filter_reason"} <= ids(body)


def test_content_page_locks_with_reason(client, moderator, post):
    client.force_login(moderator)
    url = f"{M}/contributions/{post.pk}/"
    assert client.get(url).status_code == 200
    no_reason = client.post(url, {"kind": "lock", "reason": ""})
    assert no_reason.status_code == 400
    assert not Discussion.objects.get(contribution=post).is_locked
    done = texts(client.post(url, {"kind": "lock", "reason": "Heated"}, follow=True))
    assert Discussion.objects.get(contribution=post).is_locked
    assert "Discussion locked. The author sees the reason and can appeal." in done
    assert "Done:" not in done
    twice = client.post(url, {"kind": "lock", "reason": "Again"})
    assert "The discussion is already locked." in texts(twice)


def test_member_page_suspends_and_shows_history(client, community, moderator, member):
    client.force_login(moderator)
    url = f"{M}/members/{member.pk}/"
    response = client.post(url, {"kind": "suspend", "duration": "72", "reason": "Spamming"})
    assert response.status_code == 302
    m = Membership.objects.get(community=community, user=member)
    assert m.status == "suspended"
    assert timedelta(hours=71) < m.suspended_until - timezone.now() <= timedelta(hours=72)
    page = texts(client.get(url))
    assert "Spamming" in page and "Suspended until" in page
    assert f"{member.public_name} is suspended until " in page
    assert " and sees the reason." in page and "Done:" not in page
    assert "a.m.." not in page and "p.m.." not in page
    own = client.post(f"{M}/members/{moderator.pk}/", {"kind": "warn", "reason": "me"})
    assert "Moderators cannot act on their own posts or standing." in texts(own)


def test_author_sees_reason_and_appeals_once(
    client, community, moderator, manager, author, comment
):
    action = services.moderation_act(
        actor=moderator, kind="hide", reason="Looks like an advert", comment=comment
    )
    client.force_login(author)
    mine = texts(client.get(f"{M}/mine/"))
    assert "Looks like an advert" in mine and "Milo" not in mine
    url = f"{M}/mine/{action.pk}/appeal/"
    empty = client.post(url, {"text": ""})
    assert empty.status_code == 200 and not Appeal.objects.exists()
    client.post(url, {"text": "It is my own shop"})
    assert Appeal.objects.get().text == "It is my own shop"
    again = client.get(url)
    assert "You have already appealed this action." in texts(again)
    # The moderator who acted cannot decide; another one can, and the author sees it.
    client.force_login(moderator)
    appeals_page = texts(client.get(f"{M}/appeals/"))
    assert "a different moderator must decide this appeal" in appeals_page
    appeal = Appeal.objects.get()
    refused = client.post(
        f"{M}/appeals/{appeal.pk}/decide/", {"decision": "uphold", "reason": "x"}, follow=True
    )
    assert "A different moderator must decide this appeal." in texts(refused)
    client.force_login(manager)
    client.post(f"{M}/appeals/{appeal.pk}/decide/", {"decision": "uphold", "reason": "Rules"})
    client.force_login(author)
    mine = texts(client.get(f"{M}/mine/"))
    assert "Action upheld" in mine and "Rules" in mine


def test_log_page_filters_and_csv(client, community, moderator, manager, member, comment):
    services.moderation_act(
        actor=moderator, kind="hide", reason="=cmd|' /C calc'!A0", comment=comment
    )
    services.moderation_act(
        actor=moderator, kind="warn", reason="Be kind", member=member, community=community
    )
    client.force_login(moderator)
    assert client.get(f"{M}/log/").status_code == 403
    client.force_login(manager)
    page = texts(client.get(f"{M}/log/?kind=warn"))
    assert "Be kind" in page and "calc" not in page
    bad = client.get(f"{M}/log/?since=2030-01-02&until=2030-01-01")
    assert "The end is before the start." in texts(bad)
    response = client.get(f"{M}/log.csv")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["when", "actor", "kind"]
    assert [r[2] for r in rows[1:]] == ["hide", "warn"]
    assert rows[1][5].startswith("'=")
    filtered = client.get(f"{M}/log.csv?kind=warn")
    assert len(list(csv.reader(io.StringIO(b"".join(filtered.streaming_content).decode())))) == 2


def test_settings_page(client, community, manager, moderator):
    client.force_login(moderator)
    assert client.get(f"{M}/settings/").status_code == 403
    client.force_login(manager)
    data = {
        "flag_threshold": "0",
        "established_after_posts": "3",
        "established_after_days": "7",
        "new_posts_per_minute": "2",
        "new_replies_per_day": "30",
        "new_links_per_post": "2",
        "posts_per_minute": "10",
    }
    bad = client.post(f"{M}/settings/", data)
    assert bad.status_code == 400 and not ModerationSettings.objects.exists()
    data["flag_threshold"] = "4"
    assert client.post(f"{M}/settings/", data).status_code == 302
    conf = ModerationSettings.objects.get(community=community)
    assert conf.flag_threshold == 4 and not conf.premoderate_new_members


def test_transparency_page_is_public_and_names_nobody(client, community, moderator, comment):
    services.moderation_act(actor=moderator, kind="hide", reason="Secret reason", comment=comment)
    body = texts(client.get(f"{M}/transparency/?period=week"))
    assert "Moderation transparency" in body
    assert "Secret reason" not in body and "Milo" not in body and "Alex" not in body
