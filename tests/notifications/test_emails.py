"""Immediate notification emails: HTML and text, a one-click unsubscribe link in the body and
in the List-Unsubscribe / List-Unsubscribe-Post headers (RFC 8058), and the link works from a
mail client without a session or a CSRF token."""

from urllib.parse import urlparse

import pytest
from django.core import mail
from django.test import Client

from notifications import tasks
from notifications.mail import read_unsubscribe_token, unsubscribe_token
from notifications.models import Notification, Preference

from .support import delivered

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(lab, django_capture_on_commit_callbacks):
    with delivered(django_capture_on_commit_callbacks):
        lab.mention()
    assert len(mail.outbox) == 1
    return mail.outbox[0]


def _unsubscribe_path(message) -> str:
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<") and header.endswith(">")
    return urlparse(header[1:-1]).path


def test_immediate_email_has_list_unsubscribe_headers(sent, lab):
    assert sent.to == [lab.peer.email]
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = sent.extra_headers["List-Unsubscribe"][1:-1]
    assert url.startswith("http")
    assert "/notifications/unsubscribe/" in url
    # The headers survive into the message actually sent.
    rendered = sent.message()
    assert rendered["List-Unsubscribe"] == f"<{url}>"
    assert rendered["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_immediate_email_has_text_and_html_parts_with_the_link_and_the_unsubscribe_url(sent, lab):
    url = sent.extra_headers["List-Unsubscribe"][1:-1]
    assert "Ana Author mentioned you" in sent.body
    assert url in sent.body
    assert lab.contribution.get_absolute_url() in sent.body
    ((html, mimetype),) = sent.alternatives
    assert mimetype == "text/html"
    assert "Ana Author mentioned you" in html
    assert url.replace("&", "&amp;") in html or url in html
    assert "#comment-" in html
    assert "/notifications/preferences/" in sent.body


def test_one_click_post_from_a_mail_client_unsubscribes_without_session_or_csrf(
    sent, lab, django_capture_on_commit_callbacks
):
    mail_client = Client(enforce_csrf_checks=True)  # a mail client: no cookie, no token
    response = mail_client.post(
        _unsubscribe_path(sent),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert Preference.objects.get(user=lab.peer, topic="mentions").channel == "off"

    mail.outbox.clear()
    with delivered(django_capture_on_commit_callbacks):
        lab.mention(body=f"Once more, @{lab.peer.handle}")
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=lab.peer).count() == 1  # only the first


def test_following_the_link_asks_first_and_changes_nothing(sent, lab):
    response = Client().get(_unsubscribe_path(sent))
    assert response.status_code == 200
    assert b"Someone mentions me" in response.content
    assert not Preference.objects.filter(user=lab.peer).exists()


def test_confirming_on_the_page_unsubscribes(sent, lab):
    response = Client(enforce_csrf_checks=True).post(_unsubscribe_path(sent))
    assert response.status_code == 200
    assert b"You are unsubscribed" in response.content
    assert Preference.objects.get(user=lab.peer, topic="mentions").channel == "off"


def test_a_forged_or_tampered_token_is_refused(lab):
    token = unsubscribe_token(user_id=lab.peer.pk, topic="mentions")
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in ("nonsense", tampered):
        response = Client().post(f"/notifications/unsubscribe/{bad}/")
        assert response.status_code == 404
    assert not Preference.objects.exists()


def test_tokens_round_trip_and_carry_user_and_topic():
    token = unsubscribe_token(user_id=42, topic="digest_weekly")
    assert read_unsubscribe_token(token) == (42, "digest_weekly")
    assert read_unsubscribe_token(token + "x") is None


def test_an_immediate_email_is_sent_once_even_if_the_task_runs_again(sent, lab):
    notification = Notification.objects.get(recipient=lab.peer)
    assert notification.email_state == Notification.EmailState.SENT
    assert tasks.send_emails.delay().get() == 0
    assert tasks.send_event_emails.delay(notification.event_id).get() == 0  # the old task name
    assert len(mail.outbox) == 1
