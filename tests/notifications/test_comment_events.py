"""One comment, one notification per person: a comment can record several events (mention,
official response, reply, comment on a contribution); a person several of them name hears about
the comment once, through the most specific one that reaches them, whatever order the events are
processed in."""

import pytest

from events.models import OutboxEvent
from knowledge import services as knowledge
from knowledge.models import Follow
from notifications import services
from notifications.models import Notification

from ..factories import MembershipFactory, UserFactory
from .support import delivered, process, unprocessed_events

pytestmark = pytest.mark.django_db


def _kinds(user) -> list[str]:
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_mentioning_the_author_of_the_contribution_notifies_them_once(
    lab, django_capture_on_commit_callbacks
):
    with delivered(django_capture_on_commit_callbacks):
        comment = lab.mention(by=lab.peer, body=f"Agreed, @{lab.author.handle}: wax it weekly.")

    # Two events were recorded for the author (the comment on their contribution, the mention)...
    for_author = OutboxEvent.objects.filter(payload__recipient_id=lab.author.pk)
    assert sorted(for_author.values_list("kind", flat=True)) == [
        "comment.mention",
        "contribution.commented",
    ]
    # ...and both were processed, yet the author hears about the comment once, as a mention.
    assert for_author.count() == 2
    assert not unprocessed_events().filter(payload__recipient_id=lab.author.pk).exists()
    assert _kinds(lab.author) == ["comment.mention"]
    notification = Notification.objects.get(recipient=lab.author)
    assert notification.url.endswith(f"#comment-{comment.pk}")


def test_mentioning_the_person_replied_to_notifies_them_once(
    lab, django_capture_on_commit_callbacks
):
    other = UserFactory(display_name="Olga Other")
    MembershipFactory(community=lab.community, user=other)
    with delivered(django_capture_on_commit_callbacks):
        parent = lab.mention(by=lab.peer, body="Chain wax or oil?")
        knowledge.comment_create(author=other, parent=parent, body=f"Wax, @{lab.peer.handle}.")

    assert _kinds(lab.peer) == ["comment.mention"]
    # The contribution's author still hears about each comment on it, once each.
    assert _kinds(lab.author) == ["contribution.commented", "contribution.commented"]


def test_an_official_response_mentioning_the_author_notifies_them_once(
    lab, django_capture_on_commit_callbacks
):
    follower = UserFactory(display_name="Fay Follower")
    MembershipFactory(community=lab.community, user=follower)
    Follow.objects.create(user=follower, discussion=lab.contribution.discussion)
    with delivered(django_capture_on_commit_callbacks):
        lab.mention(by=lab.manager, body=f"We ship it, @{lab.author.handle}.", official=True)

    # Mention, official response and comment on their contribution: one notification.
    assert _kinds(lab.author) == ["comment.mention"]
    assert _kinds(follower) == ["comment.official_response"]


def test_the_order_the_events_are_processed_in_does_not_matter(
    lab, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        lab.mention(by=lab.peer, body=f"Agreed, @{lab.author.handle}.")
    events = list(unprocessed_events().order_by("-id"))
    assert [e.kind for e in events][:2] == ["comment.mention", "contribution.commented"]

    for event in events:  # the mention first this time, the other way round from a commit
        with django_capture_on_commit_callbacks(execute=True):
            process(event.pk)

    assert _kinds(lab.author) == ["comment.mention"]


def test_with_mentions_off_the_author_still_hears_about_the_comment(
    lab, django_capture_on_commit_callbacks
):
    services.preference_set(user=lab.author, topic="mentions", channel="off")
    with delivered(django_capture_on_commit_callbacks):
        lab.mention(by=lab.peer, body=f"Agreed, @{lab.author.handle}.")

    assert _kinds(lab.author) == ["contribution.commented"]
