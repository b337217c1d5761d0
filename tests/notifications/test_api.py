"""The notifications API: the member's own notifications (cursor list, unread count, mark one
or all read) and preferences (GET, PUT replaces, PATCH changes what is given)."""

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from communities.models import Community
from notifications.models import CommunityMute, Notification, Preference

from ..factories import CommunityFactory, UserFactory
from .test_views import _make

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def api(lab):
    client = APIClient()
    client.force_authenticate(lab.peer)
    return client


def test_list_is_the_members_own_newest_first_with_a_cursor(api, lab):
    mine = _make(lab.peer, 25)
    _make(lab.author, 3)

    first = api.get(f"{API}/notifications/", {"page_size": 20}).json()

    assert [n["id"] for n in first["results"]] == [n.pk for n in mine[:20]]
    item = first["results"][0]
    assert item == {
        "id": mine[0].pk,
        "kind": "comment.reply",
        "topic": "replies",
        "text": "Reply number 0",
        "url": "/c/x/ideas/0/",
        "community_id": None,
        "created_at": item["created_at"],
        "read_at": None,
        "is_read": False,
    }
    second = api.get(first["next"]).json()
    assert [n["id"] for n in second["results"]] == [n.pk for n in mine[20:]]
    assert second["next"] is None


def test_list_can_show_only_unread(api, lab):
    a, b = _make(lab.peer, 2)
    Notification.objects.filter(pk=a.pk).update(read_at=timezone.now())
    body = api.get(f"{API}/notifications/", {"unread": "true"}).json()
    assert [n["id"] for n in body["results"]] == [b.pk]


def test_unread_count_and_mark_read(api, lab):
    a, b, c = _make(lab.peer, 3)
    assert api.get(f"{API}/notifications/unread-count/").json() == {"unread": 3, "capped": False}

    response = api.post(f"{API}/notifications/{a.pk}/read/")
    assert response.status_code == 200
    assert response.json()["is_read"] is True
    assert api.post(f"{API}/notifications/{a.pk}/read/").status_code == 200  # again: no change
    assert api.get(f"{API}/notifications/unread-count/").json()["unread"] == 2

    assert api.post(f"{API}/notifications/read-all/").json() == {"updated": 2}
    assert api.get(f"{API}/notifications/unread-count/").json()["unread"] == 0


def test_someone_elses_or_an_absurd_id_is_404(api, lab):
    (theirs,) = _make(lab.author, 1)
    assert api.post(f"{API}/notifications/{theirs.pk}/read/").status_code == 404
    assert api.post(f"{API}/notifications/{2**64}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_unread_count_is_capped(api, lab):
    _make(lab.peer, 101)
    assert api.get(f"{API}/notifications/unread-count/").json() == {"unread": 100, "capped": True}


def test_anonymous_gets_401():
    client = APIClient()
    assert client.get(f"{API}/notifications/").status_code == 401
    assert client.get(f"{API}/notification-preferences/").status_code == 401


def test_preferences_get_lists_every_topic_with_its_channel(api, lab):
    Preference.objects.create(user=lab.peer, topic="mentions", channel="weekly")
    body = api.get(f"{API}/notification-preferences/").json()
    topics = {t["topic"]: t for t in body["topics"]}
    assert set(topics) >= {"mentions", "replies", "status", "impact", "announcements"}
    assert topics["mentions"]["channel"] == "weekly"
    assert topics["mentions"]["default"] == "email"
    assert topics["replies"]["channel"] == topics["replies"]["default"] == "daily"
    assert body["muted_communities"] == []


def test_patch_changes_only_what_is_given(api, lab):
    Preference.objects.create(user=lab.peer, topic="replies", channel="off")
    response = api.patch(
        f"{API}/notification-preferences/",
        {"topics": [{"topic": "mentions", "channel": "in_app"}]},
        format="json",
    )
    assert response.status_code == 200
    prefs = dict(Preference.objects.filter(user=lab.peer).values_list("topic", "channel"))
    assert prefs == {"replies": "off", "mentions": "in_app"}


def test_put_replaces_topics_and_mutes(api, lab):
    Preference.objects.create(user=lab.peer, topic="replies", channel="off")
    response = api.put(
        f"{API}/notification-preferences/",
        {
            "topics": [{"topic": "mentions", "channel": "daily"}],
            "muted_communities": [lab.community.slug],
        },
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["muted_communities"] == [
        {"id": lab.community.pk, "slug": lab.community.slug, "name": lab.community.name}
    ]
    prefs = dict(Preference.objects.filter(user=lab.peer).values_list("topic", "channel"))
    assert prefs == {"mentions": "daily"}  # replies back to its default

    api.patch(f"{API}/notification-preferences/", {"muted_communities": []}, format="json")
    assert not CommunityMute.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"topics": [{"topic": "nope", "channel": "off"}]}, "topics.0.topic"),
        ({"topics": [{"topic": "mentions", "channel": "loud"}]}, "topics.0.channel"),
        (
            {"topics": [{"topic": "mentions", "channel": "off"}] * 2},
            "topics",
        ),
        ({"muted_communities": ["no-such-place"]}, "muted_communities"),
    ],
)
def test_invalid_preferences_are_400_with_field_errors(api, lab, body, field):
    response = api.patch(f"{API}/notification-preferences/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Preference.objects.exists()


def test_a_private_community_cannot_be_named_by_an_outsider(api, lab):
    hidden = CommunityFactory(visibility=Community.Visibility.PRIVATE, slug="hidden")
    response = api.patch(
        f"{API}/notification-preferences/", {"muted_communities": [hidden.slug]}, format="json"
    )
    assert response.status_code == 400
    assert not CommunityMute.objects.exists()


def test_token_authentication_works(lab):
    token = Token.objects.create(user=UserFactory())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get(f"{API}/notifications/unread-count/").json()["unread"] == 0
