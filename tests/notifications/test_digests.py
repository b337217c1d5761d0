"""Digests and impact reminders: one email per member per period at 08:00 in the member's own
time zone (weekly ones on Mondays), nothing when nothing waits; impact reminders follow the
"impact" topic and come once per period."""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from knowledge import services as knowledge
from knowledge.models import Comment, StatusChange, Support
from notifications import emails, services, tasks
from notifications.models import Notification
from notifications.selectors import impact_recipients, impact_report, preferences_for

from ..factories import MembershipFactory, UserFactory
from .support import delivered, make_lab

pytestmark = pytest.mark.django_db

# 2030-01-07 is a Monday; in January Berlin is UTC+1, New York UTC-5, Tokyo UTC+9.
MONDAY_0705_UTC = datetime(2030, 1, 7, 7, 5, tzinfo=UTC)


def _waiting(user, frequency: str, n: int = 1, community_id=None, text="Update"):
    return Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                kind="comment.reply",
                text=f"{text} {i}",
                url=f"/somewhere/{i}/",
                community_id=community_id,
                email_state=frequency,
            )
            for i in range(n)
        ]
    )


def _run(frequency: str, now: datetime) -> int:
    """What beat does at ``now``, then what a sender does with the emails queued."""
    users = emails.digest_recipients(frequency=frequency, now=now)
    for user_id in users:
        tasks.send_digest.delay(user_id, frequency)
    services.outbound_send_due()
    return len(users)


def _digest(user_id: int, frequency: str) -> int:
    """Queue the member's digest and send what is queued; the notifications it tells of."""
    included = services.digest_queue(user_id=user_id, frequency=frequency)
    services.outbound_send_due()
    return included


def send_impact_reminder(**kwargs) -> bool:
    """Make the reminder, then send what is queued (a sender's work)."""
    made = services.impact_reminder_send(**kwargs)
    services.outbound_send_due()
    return made


def test_one_daily_email_per_member_with_everything_waiting(
    lab, django_capture_on_commit_callbacks
):
    services.preference_set(user=lab.author, topic="replies", channel="daily")
    with delivered(django_capture_on_commit_callbacks):
        for i in range(3):
            knowledge.comment_create(
                author=lab.peer, discussion=lab.contribution.discussion, body=f"#{i}"
            )
    assert Notification.objects.filter(recipient=lab.author, email_state="daily").count() == 3
    assert mail.outbox == []

    assert _run("daily", datetime(2030, 1, 7, 8, 5, tzinfo=UTC)) == 1  # author: UTC

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [lab.author.email]
    assert "3 updates" in message.subject
    assert message.body.count("Pete Peer commented on") == 3
    assert "Trail Bike Lab" in message.body  # grouped under the community's name
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.alternatives[0][1] == "text/html"
    assert not Notification.objects.filter(email_state="daily").exists()

    # The same hour again (a second beat, a retried task): nothing more.
    assert _run("daily", datetime(2030, 1, 7, 8, 35, tzinfo=UTC)) == 0
    assert _digest(lab.author.pk, "daily") == 0
    assert len(mail.outbox) == 1


def test_nothing_is_sent_when_nothing_waits(lab):
    _waiting(lab.peer, "none")
    _waiting(lab.author, "sent")
    now = datetime(2030, 1, 7, 8, 5, tzinfo=UTC)
    assert emails.digest_recipients(frequency="daily", now=now) == []
    assert emails.digest_recipients(frequency="weekly", now=now) == []
    assert _digest(lab.peer.pk, "daily") == 0
    assert mail.outbox == []


def test_daily_digest_hour_follows_each_members_time_zone(db):
    berlin = UserFactory(timezone="Europe/Berlin")
    new_york = UserFactory(timezone="America/New_York")
    tokyo = UserFactory(timezone="Asia/Tokyo")
    for user in (berlin, new_york, tokyo):
        _waiting(user, "daily")

    def due(hour_utc: int, day: int = 7) -> set[int]:
        now = datetime(2030, 1, day, hour_utc, 5, tzinfo=UTC)
        return set(emails.digest_recipients(frequency="daily", now=now))

    assert due(7) == {berlin.pk}  # 08:05 in Berlin
    assert due(13) == {new_york.pk}  # 08:05 in New York
    assert due(23, day=6) == {tokyo.pk}  # 08:05 on Monday in Tokyo
    assert due(8) == set()  # 08:05 UTC: nobody here lives in UTC
    # Over a whole day each member is due exactly once.
    start = datetime(2030, 1, 7, 0, 5, tzinfo=UTC)
    counts = {u.pk: 0 for u in (berlin, new_york, tokyo)}
    for h in range(24):
        for user_id in emails.digest_recipients(frequency="daily", now=start + timedelta(hours=h)):
            counts[user_id] += 1
    assert counts == dict.fromkeys(counts, 1)


def test_weekly_digest_comes_on_the_members_own_monday(db):
    berlin = UserFactory(timezone="Europe/Berlin")
    tokyo = UserFactory(timezone="Asia/Tokyo")
    for user in (berlin, tokyo):
        _waiting(user, "weekly", n=2)

    sunday_2305_utc = datetime(2030, 1, 6, 23, 5, tzinfo=UTC)  # Monday 08:05 in Tokyo
    assert emails.digest_recipients(frequency="weekly", now=sunday_2305_utc) == [tokyo.pk]
    assert emails.digest_recipients(frequency="weekly", now=MONDAY_0705_UTC) == [berlin.pk]
    tuesday = MONDAY_0705_UTC + timedelta(days=1)
    assert emails.digest_recipients(frequency="weekly", now=tuesday) == []
    # Daily digests ignore weekly items.
    assert emails.digest_recipients(frequency="daily", now=MONDAY_0705_UTC) == []


def test_digests_keep_members_apart(db):
    one, two = UserFactory(timezone="Europe/Berlin"), UserFactory(timezone="Europe/Berlin")
    _waiting(one, "daily", n=2, text="For one")
    _waiting(two, "daily", n=1, text="For two")

    assert _run("daily", MONDAY_0705_UTC) == 2

    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {one.email, two.email}
    assert "For two" not in by_recipient[one.email].body
    assert by_recipient[one.email].body.count("For one") == 2
    assert "1 update" in by_recipient[two.email].subject


def test_digest_sections_per_community(db):
    a = make_lab(slug="lab-a", name="Alpha Lab")
    b = make_lab(slug="lab-b", name="Beta Lab")
    reader = UserFactory()
    _waiting(reader, "daily", community_id=a.community.pk, text="From alpha")
    _waiting(reader, "daily", community_id=b.community.pk, text="From beta")

    _digest(reader.pk, "daily")

    body = mail.outbox[0].body
    assert body.index("Alpha Lab") < body.index("From alpha") < body.index("Beta Lab")
    assert body.index("Beta Lab") < body.index("From beta")


def test_digest_unsubscribe_link_moves_digest_topics_to_in_app(db):
    reader = UserFactory()
    _waiting(reader, "daily")
    _digest(reader.pk, "daily")
    url = mail.outbox[0].extra_headers["List-Unsubscribe"][1:-1]

    response = Client().post(urlparse(url).path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200

    channels = {c.key: c.channel for c in preferences_for(user=reader)}
    assert channels["replies"] == "in_app"  # was daily by default
    assert channels["challenges"] == "weekly"  # the weekly digest is untouched


# --- Impact reminders ---------------------------------------------------------------------------


def _impactful_week(lab, now, *, ago=timedelta(days=2)):
    """``ago`` before ``now``: under review, an official response, two supports."""
    two_days_ago = now - ago
    with timezone.override(UTC):
        knowledge.contribution_set_status(
            actor=lab.manager, contribution=lab.contribution, status="under_review", reason="Look"
        )
        knowledge.comment_create(
            author=lab.manager,
            discussion=lab.contribution.discussion,
            body="We like it.",
            official=True,
        )
        knowledge.support_add(user=lab.peer, contribution=lab.contribution)
        extra = UserFactory()
        MembershipFactory(community=lab.community, user=extra)
        knowledge.support_add(user=extra, contribution=lab.contribution)

    for model in (StatusChange, Comment, Support):
        model.objects.update(created_at=two_days_ago)


def test_impact_report_counts_what_the_members_knowledge_did(lab):
    now = timezone.now()
    _impactful_week(lab, now)

    report = impact_report(user=lab.author, since=now - timedelta(days=7), until=now)

    assert [m.to_status for m in report.moves] == ["under_review"]
    assert [c.body for c in report.official] == ["We like it."]
    assert report.supports_gained == 2
    assert report.summary() == ("1 contribution moved forward, 1 official response, 2 new supports")
    # Someone else's report, and an earlier period, are empty.
    assert impact_report(user=lab.peer, since=now - timedelta(days=7), until=now).is_empty
    old = impact_report(
        user=lab.author, since=now - timedelta(days=30), until=now - timedelta(days=7)
    )
    assert old.is_empty


def test_weekly_impact_reminder_once_per_week_by_email_and_in_app(lab):
    _impactful_week(lab, MONDAY_0705_UTC)
    lab.author.timezone = "Europe/Berlin"
    lab.author.save(update_fields=["timezone"])
    mail.outbox.clear()

    assert impact_recipients(frequency="weekly", now=MONDAY_0705_UTC) == [lab.author.pk]
    assert send_impact_reminder(user_id=lab.author.pk, frequency="weekly", now=MONDAY_0705_UTC)
    assert not send_impact_reminder(
        user_id=lab.author.pk, frequency="weekly", now=MONDAY_0705_UTC + timedelta(hours=2)
    )

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [lab.author.email]
    assert "What your knowledge did" in message.subject
    assert "Wax the chain" in message.body
    assert "We like it." in message.body
    assert "/notifications/impact/" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    reminder = Notification.objects.get(recipient=lab.author, kind="impact.reminder")
    assert reminder.url == "/notifications/impact/"
    assert reminder.email_state == "sent"


def test_impact_reminder_follows_the_impact_topic(lab):
    _impactful_week(lab, MONDAY_0705_UTC)
    mail.outbox.clear()
    monday_0805_utc = MONDAY_0705_UTC + timedelta(hours=1)  # author lives in UTC

    services.preference_set(user=lab.author, topic="impact", channel="off")
    assert impact_recipients(frequency="weekly", now=monday_0805_utc) == []
    assert not send_impact_reminder(user_id=lab.author.pk, frequency="weekly", now=monday_0805_utc)

    services.preference_set(user=lab.author, topic="impact", channel="in_app")
    assert impact_recipients(frequency="weekly", now=monday_0805_utc) == [lab.author.pk]
    assert send_impact_reminder(user_id=lab.author.pk, frequency="weekly", now=monday_0805_utc)
    assert mail.outbox == []  # in the app only
    assert Notification.objects.get(kind="impact.reminder").email_state == "none"


def test_daily_impact_reminder_and_nothing_when_nothing_happened(lab):
    services.preference_set(user=lab.author, topic="impact", channel="daily")
    now = datetime(2030, 1, 8, 8, 5, tzinfo=UTC)
    assert impact_recipients(frequency="daily", now=now) == []
    assert not send_impact_reminder(user_id=lab.author.pk, frequency="daily", now=now)

    later = now + timedelta(days=1)
    _impactful_week(lab, later, ago=timedelta(hours=12))
    assert impact_recipients(frequency="daily", now=later) == [lab.author.pk]
    assert impact_recipients(frequency="weekly", now=later) == []  # chose daily
    assert impact_recipients(frequency="daily", now=later + timedelta(days=1)) == []  # next day
    assert send_impact_reminder(user_id=lab.author.pk, frequency="daily", now=later)
    assert len(mail.outbox) == 1


def test_impact_reminder_task_builds_the_members_reminder(lab, django_capture_on_commit_callbacks):
    services.preference_set(user=lab.author, topic="impact", channel="daily")
    _impactful_week(lab, timezone.now(), ago=timedelta(hours=1))
    mail.outbox.clear()

    # The email is sent by the task itself, right after its transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_impact_reminder.delay(lab.author.pk, "daily").get() is True
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_impact_reminder.delay(lab.author.pk, "daily").get() is False

    assert len(mail.outbox) == 1
