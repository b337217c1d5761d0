"""Notifications from domain events: idempotent, never to the actor, following each member's
channel per topic and their community mutes; nothing at all when the transaction rolls back."""

import re

import pytest
from django.core import mail
from django.db import transaction

from cocreate.errors import PermissionDenied, ValidationError
from events.models import OutboxEvent
from events.services import delivery_process, event_record
from notifications import services
from notifications.consumers import _route_event
from notifications.models import Notification, Preference

from .support import CONSUMER, delivered, process, unprocessed_events

pytestmark = pytest.mark.django_db


def _mention_event(lab):
    return event_record(
        kind="comment.mention",
        payload={"contribution_id": lab.contribution.pk, "recipient_id": lab.peer.pk},
        actor=lab.author,
        community_id=lab.community.pk,
    )


def test_a_mention_notifies_the_mentioned_member_with_a_link_to_the_comment(
    lab, django_capture_on_commit_callbacks
):
    with delivered(django_capture_on_commit_callbacks):
        comment = lab.mention()

    notification = Notification.objects.get(recipient=lab.peer, kind="comment.mention")
    assert notification.text == "Ana Author mentioned you"
    assert notification.url == f"{lab.contribution.get_absolute_url()}#comment-{comment.pk}"
    assert notification.read_at is None
    assert notification.community_id == lab.community.pk


def test_the_same_event_delivered_twice_notifies_once(lab):
    event = _mention_event(lab)

    assert process(event.pk) is True
    assert process(event.pk) is False
    # Even a consumer run twice (a redelivery racing the first) adds nothing.

    _route_event(event)

    assert Notification.objects.filter(recipient=lab.peer).count() == 1


def test_notify_twice_for_one_event_creates_one_notification(lab):
    event = _mention_event(lab)
    first = services.notify(
        event=event, topic="mentions", recipient_ids=[lab.peer.pk], text="x", url="/"
    )
    second = services.notify(
        event=event, topic="mentions", recipient_ids=[lab.peer.pk], text="x", url="/"
    )
    assert (first, second) == (1, 0)
    assert Notification.objects.filter(event=event).count() == 1


def test_the_actor_is_never_notified_of_their_own_act(lab):
    event = _mention_event(lab)
    created = services.notify(
        event=event,
        topic="mentions",
        recipient_ids=[lab.author.pk, lab.peer.pk, lab.author.pk],
        text="x",
        url="/",
    )
    assert created == 1
    assert not Notification.objects.filter(recipient=lab.author).exists()


def test_an_official_response_reaches_the_author_but_not_the_staff_member_who_wrote_it(
    lab, django_capture_on_commit_callbacks
):
    with delivered(django_capture_on_commit_callbacks):
        lab.mention(by=lab.manager, body="We will test this.", official=True)

    kinds = set(Notification.objects.filter(recipient=lab.author).values_list("kind", flat=True))
    assert "comment.official_response" in kinds
    assert not Notification.objects.filter(recipient=lab.manager).exists()


# --- One test per channel: the next event follows the member's choice ---------------------------


def _set_and_mention(lab, capture, channel: str):
    services.preference_set(user=lab.peer, topic="mentions", channel=channel)
    mail.outbox.clear()
    with delivered(capture):
        lab.mention()
    return Notification.objects.filter(recipient=lab.peer, kind="comment.mention").first()


def test_channel_in_app_notifies_without_email(lab, django_capture_on_commit_callbacks):
    notification = _set_and_mention(lab, django_capture_on_commit_callbacks, "in_app")
    assert notification is not None
    assert notification.email_state == Notification.EmailState.NONE
    assert mail.outbox == []


def test_channel_email_sends_one_email_right_away(lab, django_capture_on_commit_callbacks):
    notification = _set_and_mention(lab, django_capture_on_commit_callbacks, "email")
    assert notification.email_state == Notification.EmailState.SENT
    assert notification.emailed_at is not None
    assert [m.to for m in mail.outbox] == [[lab.peer.email]]
    assert "Ana Author mentioned you" in mail.outbox[0].subject


def test_channel_daily_waits_for_the_daily_digest(lab, django_capture_on_commit_callbacks):
    notification = _set_and_mention(lab, django_capture_on_commit_callbacks, "daily")
    assert notification.email_state == Notification.EmailState.DAILY
    assert mail.outbox == []


def test_channel_weekly_waits_for_the_weekly_digest(lab, django_capture_on_commit_callbacks):
    notification = _set_and_mention(lab, django_capture_on_commit_callbacks, "weekly")
    assert notification.email_state == Notification.EmailState.WEEKLY
    assert mail.outbox == []


def test_channel_off_creates_nothing(lab, django_capture_on_commit_callbacks):
    notification = _set_and_mention(lab, django_capture_on_commit_callbacks, "off")
    assert notification is None
    assert mail.outbox == []
    # The event itself was processed: turning a topic off is not a delivery failure.
    assert OutboxEvent.objects.filter(kind="comment.mention").exists()
    assert not unprocessed_events().filter(kind="comment.mention").exists()


def test_without_a_preference_the_topic_default_applies(lab, django_capture_on_commit_callbacks):
    # "mentions" defaults to email.
    with delivered(django_capture_on_commit_callbacks):
        lab.mention()
    assert Notification.objects.get(recipient=lab.peer).email_state == "sent"
    assert len(mail.outbox) == 1


# --- Mutes --------------------------------------------------------------------------------------


def test_a_muted_community_sends_nothing_but_membership_and_moderation_still_arrive(
    lab, django_capture_on_commit_callbacks
):
    services.community_mute_set(user=lab.peer, community_id=lab.community.pk, muted=True)
    with delivered(django_capture_on_commit_callbacks):
        lab.mention()
        event_record(
            kind="moderation.action",
            payload={"recipient_id": lab.peer.pk, "kind": "warn", "reason": "Be kind."},
            actor=lab.manager,
            community_id=lab.community.pk,
        )

    kinds = list(Notification.objects.filter(recipient=lab.peer).values_list("kind", flat=True))
    assert kinds == ["moderation.action"]

    services.community_mute_set(user=lab.peer, community_id=lab.community.pk, muted=False)
    with delivered(django_capture_on_commit_callbacks):
        lab.mention(body=f"Again, @{lab.peer.handle}")
    assert Notification.objects.filter(recipient=lab.peer, kind="comment.mention").count() == 1


# --- Preferences --------------------------------------------------------------------------------


def test_preferences_update_is_all_or_nothing(lab):
    with pytest.raises(ValidationError) as info:
        services.preferences_update(
            user=lab.peer, channels={"mentions": "off", "nonsense": "email", "replies": "loud"}
        )
    assert set(info.value.message_dict) == {"nonsense", "replies"}
    assert not Preference.objects.filter(user=lab.peer).exists()


def test_preferences_update_stores_only_departures_from_the_default(lab):
    effective = services.preferences_update(
        user=lab.peer, channels={"mentions": "email", "replies": "weekly"}
    )
    assert effective["mentions"] == "email"  # the default: no row
    assert effective["replies"] == "weekly"
    assert dict(Preference.objects.filter(user=lab.peer).values_list("topic", "channel")) == {
        "replies": "weekly"
    }

    effective = services.preferences_update(user=lab.peer, channels={}, reset_missing=True)
    assert effective["replies"] == "daily"
    assert not Preference.objects.filter(user=lab.peer).exists()


def test_turning_a_topic_off_drops_the_emails_still_waiting_for_it(
    lab, django_capture_on_commit_callbacks
):
    services.preference_set(user=lab.peer, topic="mentions", channel="daily")
    with delivered(django_capture_on_commit_callbacks):
        lab.mention()
    assert Notification.objects.get(recipient=lab.peer).email_state == "daily"

    services.preference_set(user=lab.peer, topic="mentions", channel="off")

    # Still in the app, no longer owed by email.
    assert Notification.objects.get(recipient=lab.peer).email_state == "none"


def test_a_digest_unsubscribe_moves_every_topic_of_that_digest_to_in_app(lab):
    services.preference_set(user=lab.peer, topic="mentions", channel="daily")

    moved = services.unsubscribe_apply(user_id=lab.peer.pk, topic="digest_daily")

    # "replies" defaults to daily, "mentions" was chosen daily; weekly topics are untouched.
    assert set(moved) == {"mentions", "replies"}
    prefs = dict(Preference.objects.filter(user=lab.peer).values_list("topic", "channel"))
    assert prefs == {"mentions": "in_app", "replies": "in_app"}


def test_unsubscribe_with_an_unknown_topic_or_user_changes_nothing(lab):
    assert services.unsubscribe_apply(user_id=lab.peer.pk, topic="other") == []
    assert services.unsubscribe_apply(user_id=10**9, topic="mentions") == []
    assert not Preference.objects.exists()


# --- Transactions -------------------------------------------------------------------------------


class Boom(Exception):
    pass


def test_a_rolled_back_comment_sends_nothing(lab, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        lab.mention()
        raise Boom

    assert callbacks == []
    assert not OutboxEvent.objects.filter(kind="comment.mention").exists()
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_a_rolled_back_announcement_fans_out_to_nobody(lab, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        services.announcement_create(
            actor=lab.manager, community=lab.community, title="Ride", body="Saturday."
        )
        raise Boom

    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == []


# --- Announcements ------------------------------------------------------------------------------


def test_only_managers_announce(lab):
    with pytest.raises(PermissionDenied):
        services.announcement_create(
            actor=lab.peer, community=lab.community, title="Hi", body="All."
        )


def test_an_announcement_needs_a_title_and_a_body(lab):
    with pytest.raises(ValidationError) as info:
        services.announcement_create(actor=lab.manager, community=lab.community, title=" ", body="")
    assert set(info.value.message_dict) == {"title", "body"}


def test_a_workers_batch_notifies_exactly_as_one_event_at_a_time(
    lab, django_capture_on_commit_callbacks
):
    """A worker whose queue filled up hands notifications several events at once
    (``consumers.handle_batch``): the same notifications, texts, links and emails."""
    services.preference_set(user=lab.author, topic="moderation", channel="in_app")
    services.community_mute_set(user=lab.manager, community_id=lab.community.pk, muted=True)

    def record_all() -> list[int]:
        with django_capture_on_commit_callbacks(execute=False):
            event_record(
                kind="membership.approved",
                payload={"recipient_id": lab.peer.pk},
                community_id=lab.community.pk,
            )
            event_record(
                kind="moderation.action",
                payload={"recipient_id": lab.author.pk, "kind": "warn", "reason": "Be kind."},
                actor=lab.manager,
                community_id=lab.community.pk,
            )
            event_record(  # the actor is never notified of their own act
                kind="membership.approved",
                payload={"recipient_id": lab.manager.pk},
                actor=lab.manager,
                community_id=lab.community.pk,
            )
            event_record(  # muted community: nothing
                kind="contribution.commented",
                payload={"contribution_id": lab.contribution.pk, "recipient_id": lab.manager.pk},
                actor=lab.peer,
                community_id=lab.community.pk,
            )
            lab.mention()
        return list(unprocessed_events().order_by("id").values_list("id", flat=True))

    def outcome(event_ids) -> list[tuple]:
        rows = Notification.objects.filter(event_id__in=event_ids)
        return sorted(
            (who, kind, text, re.sub(r"#comment-\d+", "#comment-N", url), state)
            for who, kind, text, url, state in rows.values_list(
                "recipient_id", "kind", "text", "url", "email_state"
            )
        )

    one_by_one = record_all()
    with django_capture_on_commit_callbacks(execute=True):
        for event_id in one_by_one:
            process(event_id)
    emails = len(mail.outbox)

    batched = record_all()
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery_process(consumer=CONSUMER, event_id=batched[0], batch=20) is True
    assert not unprocessed_events().exists()

    assert outcome(batched) == outcome(one_by_one)
    assert len(outcome(batched)) == 3  # the peer twice (approved, mentioned), the author once
    assert len(mail.outbox) == 2 * emails
