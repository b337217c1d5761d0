"""The notification pages as members use them: the inbox grouped by day with unread ones
marked, opening one lands on the thing, mark read, follow from the notification, preferences
and mutes, the impact page, managers' announcements, and the bell."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import RequestContext, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from knowledge import services as knowledge
from knowledge.models import Contribution, Follow
from notifications.context_processors import bell
from notifications.models import Announcement, CommunityMute, Notification, Preference

from ..knowledge.factories import make_contribution
from .support import delivered

pytestmark = pytest.mark.django_db


def _make(user, n: int, *, start=None, **kwargs) -> list[Notification]:
    start = start or timezone.now()
    return Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                kind="comment.reply",
                text=f"Reply number {i}",
                url=f"/c/x/ideas/{i}/",
                created_at=start - timedelta(minutes=i),
                **kwargs,
            )
            for i in range(n)
        ]
    )


@pytest.fixture
def mentioned(lab, django_capture_on_commit_callbacks):
    with delivered(django_capture_on_commit_callbacks):
        comment = lab.mention()
    return Notification.objects.get(recipient=lab.peer, kind="comment.mention"), comment


def test_inbox_lists_the_members_notifications_grouped_by_day(client, lab):
    now = timezone.now()
    _make(lab.peer, 2, start=now)
    _make(lab.peer, 1, start=now - timedelta(days=3))
    Notification.objects.filter(text="Reply number 1").update(read_at=now)
    _make(lab.author, 1, start=now)  # someone else's
    client.force_login(lab.peer)

    response = client.get(reverse("notifications:list"))

    assert response.status_code == 200
    days = response.context["days"]
    assert [len(items) for _day, items in days] == [2, 1]
    html = response.content.decode()
    assert "Today" in html
    assert html.count("notif-unread") == 2
    assert html.count('data-notification="') == 3


def test_inbox_pages_with_a_cursor(client, lab):
    _make(lab.peer, 30)
    client.force_login(lab.peer)

    first = client.get(reverse("notifications:list"))
    assert len(first.context["page"].items) == 25
    cursor = first.context["page"].next_cursor
    second = client.get(reverse("notifications:list"), {"cursor": cursor})
    assert len(second.context["page"].items) == 5
    assert second.context["page"].next_cursor is None
    shown = {n.pk for n in first.context["page"].items} | {
        n.pk for n in second.context["page"].items
    }
    assert len(shown) == 30


def test_opening_a_notification_marks_it_read_and_lands_on_the_comment(client, lab, mentioned):
    notification, comment = mentioned
    client.force_login(lab.peer)

    response = client.post(reverse("notifications:open", args=[notification.pk]))

    assert response.status_code == 302
    assert response["Location"] == f"{lab.contribution.get_absolute_url()}#comment-{comment.pk}"
    notification.refresh_from_db()
    assert notification.read_at is not None
    # The comment page carries the anchor the link points at.
    page = client.get(lab.contribution.get_absolute_url())
    assert f'id="comment-{comment.pk}"' in page.content.decode()


def test_someone_elses_notification_is_not_found(client, lab, mentioned):
    notification, _comment = mentioned
    client.force_login(lab.author)
    for name in ("notifications:open", "notifications:read", "notifications:follow"):
        assert client.post(reverse(name, args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_an_off_site_url_never_becomes_a_redirect(client, lab):
    (n,) = _make(lab.peer, 1)
    Notification.objects.filter(pk=n.pk).update(url="https://evil.example/")
    client.force_login(lab.peer)
    response = client.get(reverse("notifications:open", args=[n.pk]))
    assert response["Location"] == reverse("notifications:list")


def test_mark_one_and_mark_all_read(client, lab):
    a, b, c = _make(lab.peer, 3)
    other = _make(lab.author, 1)[0]
    client.force_login(lab.peer)

    response = client.post(reverse("notifications:read", args=[a.pk]))
    assert response.status_code == 302
    assert set(Notification.objects.filter(read_at__isnull=False).values_list("pk", flat=True)) == {
        a.pk
    }

    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(recipient=lab.peer, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_follow_and_unfollow_the_contribution_from_the_notification(client, lab, mentioned):
    notification, _comment = mentioned
    client.force_login(lab.peer)
    url = reverse("notifications:follow", args=[notification.pk])

    page = client.get(reverse("notifications:list")).content.decode()
    assert ">Follow<" in page

    client.post(url, {"following": "1"})
    assert Follow.objects.filter(user=lab.peer, discussion=lab.contribution.discussion).exists()
    page = client.get(reverse("notifications:list")).content.decode()
    assert ">Unfollow<" in page

    client.post(url, {"following": "0"})
    assert not Follow.objects.filter(user=lab.peer, discussion=lab.contribution.discussion).exists()


def test_follow_needs_a_contribution(client, lab):
    (n,) = _make(lab.peer, 1)
    client.force_login(lab.peer)
    assert client.post(reverse("notifications:follow", args=[n.pk])).status_code == 404


def test_preferences_page_saves_a_channel_and_the_next_event_follows_it(
    client, lab, django_capture_on_commit_callbacks
):
    client.force_login(lab.peer)
    page = client.get(reverse("notifications:preferences"))
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: field.initial for name, field in form.fields.items()}
    assert data["topic_mentions"] == "email"
    data["topic_mentions"] = "off"

    response = client.post(reverse("notifications:preferences"), data)

    assert response.status_code == 302
    assert Preference.objects.get(user=lab.peer).channel == "off"
    assert Preference.objects.filter(user=lab.peer).count() == 1  # defaults are not stored
    with delivered(django_capture_on_commit_callbacks):
        lab.mention()
    assert not Notification.objects.filter(recipient=lab.peer).exists()


def test_preferences_refuse_an_unknown_channel(client, lab):
    client.force_login(lab.peer)
    response = client.post(reverse("notifications:preferences"), {"topic_mentions": "loud"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Preference.objects.exists()


def test_mute_and_unmute_a_community(client, lab):
    client.force_login(lab.peer)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "Trail Bike Lab" in page  # offered in the mute select

    client.post(reverse("notifications:mute"), {"community": lab.community.pk, "muted": "on"})
    assert CommunityMute.objects.filter(user=lab.peer, community_id=lab.community.pk).exists()
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "Unmute Trail Bike Lab" in page

    client.post(reverse("notifications:mute"), {"community": lab.community.pk})
    assert not CommunityMute.objects.exists()


def test_impact_page_shows_what_the_knowledge_did(client, lab):
    knowledge.contribution_set_status(
        actor=lab.manager, contribution=lab.contribution, status="under_review", reason="Promising"
    )
    official = knowledge.comment_create(
        author=lab.manager,
        discussion=lab.contribution.discussion,
        body="We test it.",
        official=True,
    )
    knowledge.support_add(user=lab.peer, contribution=lab.contribution)
    client.force_login(lab.author)

    response = client.get(reverse("notifications:impact"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Under review" in html and "Promising" in html
    assert f"#comment-{official.pk}" in html
    assert "1 new support" in html
    assert response.context["report"].totals["contributions"] == 1

    client.force_login(lab.peer)
    empty = client.get(reverse("notifications:impact"))
    assert empty.context["report"].is_empty


def test_the_impact_page_lists_what_the_member_just_shared(client, lab):
    """Right after contributing, the period is not "nothing new": the fresh contribution is
    listed with its state (a draft is not; an earlier one is outside the period)."""
    fresh = make_contribution(
        author=lab.peer, community=lab.community, toolkit=lab.toolkit, title="Grease the hubs"
    )
    make_contribution(
        author=lab.peer,
        community=lab.community,
        toolkit=lab.toolkit,
        title="A draft of mine",
        submit=False,
    )
    old = make_contribution(
        author=lab.peer, community=lab.community, toolkit=lab.toolkit, title="Last year's idea"
    )
    Contribution.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=40))
    client.force_login(lab.peer)

    response = client.get(reverse("notifications:impact"))

    html = response.content.decode()
    assert "Nothing new in this period" not in html
    assert "Grease the hubs" in html and fresh.get_absolute_url() in html
    assert "Submitted" in html
    assert "A draft of mine" not in html
    assert "Last year&#x27;s idea" not in html and "Last year's idea" not in html
    assert "1 contribution shared" in html
    # What the member did is not what their knowledge did: the reminder's report stays empty.
    assert response.context["report"].is_empty
    wider = client.get(reverse("notifications:impact") + "?days=90").content.decode()
    assert "Last year&#x27;s idea" in wider or "Last year's idea" in wider


def test_a_manager_announces_and_members_read_it(client, lab, django_capture_on_commit_callbacks):
    client.force_login(lab.manager)
    url = reverse("notifications:announce", args=[lab.community.slug])
    assert client.get(url).status_code == 200

    with delivered(django_capture_on_commit_callbacks):
        response = client.post(url, {"title": "Ride out", "body": "Saturday at **nine**."})

    announcement = Announcement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "notifications:announcement", args=[lab.community.slug, announcement.pk]
    )
    assert Notification.objects.filter(kind="announcement.created").count() == 2
    client.force_login(lab.peer)
    page = client.get(response["Location"])
    assert "<strong>nine</strong>" in page.content.decode()


def test_a_member_cannot_announce(client, lab):
    client.force_login(lab.peer)
    url = reverse("notifications:announce", args=[lab.community.slug])
    assert client.post(url, {"title": "Hi", "body": "All."}).status_code == 403
    assert not Announcement.objects.exists()


def test_an_empty_announcement_shows_errors(client, lab):
    client.force_login(lab.manager)
    url = reverse("notifications:announce", args=[lab.community.slug])
    response = client.post(url, {"title": "", "body": ""})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"title", "body"}


# --- The bell -----------------------------------------------------------------------------------

BELL = Template('{% include "notifications/_bell.html" %}{% include "notifications/_bell.html" %}')


def _render_bell(user, django_assert_num_queries, queries: int) -> str:
    request = RequestFactory().get("/")
    request.user = user
    with django_assert_num_queries(queries):
        return BELL.render(RequestContext(request, {"user": user}, processors=[bell]))


def test_the_bell_shows_the_unread_count_with_one_query(lab, django_assert_num_queries):
    _make(lab.peer, 3)
    _make(lab.peer, 2, read_at=timezone.now())
    html = _render_bell(lab.peer, django_assert_num_queries, 1)  # rendered twice, counted once
    assert 'data-unread="3"' in html
    assert "Notifications: 3 unread" in html
    assert reverse("notifications:list") in html


def test_the_bell_caps_the_count(lab, django_assert_num_queries):
    _make(lab.peer, 120)
    html = _render_bell(lab.peer, django_assert_num_queries, 1)
    assert ">99+<" in html


def test_the_bell_costs_anonymous_visitors_nothing(db, django_assert_num_queries):
    html = _render_bell(AnonymousUser(), django_assert_num_queries, 0)
    assert html.strip() == ""
