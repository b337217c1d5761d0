"""What the member concerned hears of a moderation action: a whole sentence per kind (never the
raw action code) naming the post or the community, with the reason; a link to the post, or to
their moderation history at that action where they can appeal it."""

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone

from moderation import services
from moderation.models import ModerationAction
from moderation.wording import action_done, action_notice
from notifications.models import Notification

from ..notifications.support import delivered

pytestmark = pytest.mark.django_db


def _act(capture, **kwargs):
    with delivered(capture):
        return services.moderation_act(**kwargs)


def _notice(author, action):
    return Notification.objects.get(
        recipient=author, kind="moderation.action", event__payload__action_id=action.pk
    )


def _history(community, action) -> str:
    return reverse("moderation:mine", args=[community.slug]) + f"#action-{action.pk}"


def test_a_hidden_comment_names_the_post_the_reason_and_leads_to_the_appeal(
    community, moderator, author, post, comment, django_capture_on_commit_callbacks
):
    action = _act(
        django_capture_on_commit_callbacks,
        actor=moderator,
        kind="hide",
        reason="Personal attack",
        comment=comment,
    )

    notice = _notice(author, action)
    assert notice.text == (
        f"A moderator hid your comment on “{post.title}”. Reason: “Personal attack” "
        "If you think this is a mistake, you can appeal it once."
    )
    assert "(hide)" not in notice.text
    assert notice.url == _history(community, action)
    # The history entry links to the post and offers the appeal.
    client = Client()
    client.force_login(author)
    page = client.get(notice.url.split("#")[0]).content.decode()
    assert f'id="action-{action.pk}"' in page
    assert f"{post.get_absolute_url()}#comment-{comment.pk}" in page
    assert reverse("moderation:appeal", args=[community.slug, action.pk]) in page


def test_restoring_and_approving_a_contribution_lead_to_the_post(
    community, moderator, author, post, django_capture_on_commit_callbacks
):
    hide = _act(
        django_capture_on_commit_callbacks,
        actor=moderator,
        kind="hide",
        reason="Spam?",
        contribution=post,
    )
    assert _notice(author, hide).text.startswith(
        f"A moderator hid your contribution “{post.title}”. Reason: “Spam?”"
    )
    restore = _act(
        django_capture_on_commit_callbacks,
        actor=moderator,
        kind="restore",
        reason="Not spam after all",
        contribution=post,
    )

    notice = _notice(author, restore)
    assert notice.text == (
        f"A moderator restored your contribution “{post.title}”: everyone can see it again. "
        "Reason: “Not spam after all”"
    )
    assert "appeal" not in notice.text
    assert notice.url == post.get_absolute_url()


def test_locking_a_discussion_says_so(
    community, moderator, author, post, django_capture_on_commit_callbacks
):
    action = _act(
        django_capture_on_commit_callbacks,
        actor=moderator,
        kind="lock",
        reason="Heated",
        contribution=post,
    )
    notice = _notice(author, action)
    assert notice.text.startswith(
        f"A moderator locked the discussion of your contribution “{post.title}”. Reason: “Heated”"
    )
    assert notice.url == _history(community, action)


def test_member_actions_name_the_community_and_a_suspensions_end(
    community, moderator, author, django_capture_on_commit_callbacks
):
    warn = _act(
        django_capture_on_commit_callbacks,
        actor=moderator,
        kind="warn",
        reason="Keep it civil",
        member=author,
        community=community,
    )
    assert _notice(author, warn).text == (
        "A moderator of Trail Bike Lab warned you. Reason: “Keep it civil” "
        "If you think this is a mistake, you can appeal it once."
    )
    suspend = _act(
        django_capture_on_commit_callbacks,
        actor=moderator,
        kind="suspend",
        reason="Repeated insults",
        member=author,
        community=community,
        duration=timedelta(days=3),
    )
    notice = _notice(author, suspend)
    until = formats.date_format(timezone.localtime(suspend.until), "DATETIME_FORMAT")
    assert notice.text.startswith(
        f"A moderator suspended you in Trail Bike Lab until {until}: you can read but not "
        "take part. Reason: “Repeated insults”"
    )
    assert ".." not in notice.text
    assert notice.url == _history(community, suspend)
    lift = _act(
        django_capture_on_commit_callbacks,
        actor=moderator,
        kind="unsuspend",
        reason="Served",
        member=author,
        community=community,
    )
    assert _notice(author, lift).text == (
        "A moderator lifted your suspension in Trail Bike Lab. Reason: “Served”"
    )
    ban = _act(
        django_capture_on_commit_callbacks,
        actor=moderator,
        kind="ban",
        reason="Threats",
        member=author,
        community=community,
    )
    assert _notice(author, ban).text.startswith(
        "A moderator banned you from Trail Bike Lab. Reason: “Threats”"
    )


def test_every_kind_has_its_own_sentence():
    sentences = set()
    for kind in ModerationAction.Kind.values:
        text = action_notice(
            kind=kind,
            reason="R",
            community="Lab",
            title="Idea",
            until=datetime(2030, 1, 5, 15, 0, tzinfo=timezone.get_current_timezone()),
        )
        assert f"({kind})" not in text and kind not in text.split()
        sentences.add(text)
        done = str(action_done(ModerationAction(kind=kind), member_name="Alex"))
        assert not done.startswith("Done:")
    assert len(sentences) == len(ModerationAction.Kind.values)
