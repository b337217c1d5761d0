"""The per-viewer page cache (cocreate.caching.pages) and its generation tokens: a hit makes no
query, any change through a service or a model save shows on the very next request, a change
made while a page is being built never gets served, and a cache outage costs speed only."""

import pytest
from django.contrib import messages
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cocreate.caching import fragments, generations, pages
from knowledge import services as knowledge_services
from knowledge.models import Contribution
from notifications.models import Notification
from tests.factories import CommunityFactory

from ..factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

FEED = reverse("knowledge:feed", args=["trail-bike-lab"])
DIRECTORY = reverse("communities:directory")


def _get(client, url=FEED) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _tables(queries) -> set[str]:
    return {
        q["sql"].split(" FROM ", 1)[1].split()[0].strip('"')
        for q in queries
        if " FROM " in q["sql"]
    }


# --- The mechanism -------------------------------------------------------------------------------


def test_value_is_served_while_its_tokens_hold():
    builds = []

    def build():
        builds.append(1)
        return f"v{len(builds)}", True

    scopes = lambda: ["community:1", "user:1"]  # noqa: E731
    assert pages.cached("k", scopes, build) == "v1"
    assert pages.cached("k", scopes, build) == "v1"
    generations.bump("community:1")
    assert pages.cached("k", scopes, build) == "v2"
    assert pages.cached("k", scopes, build) == "v2"
    generations.bump("user:1")
    assert pages.cached("k", scopes, build) == "v3"
    assert len(builds) == 3


def test_a_change_made_while_building_is_never_served():
    """Tokens are taken before the data is read: a write that lands during the build leaves
    the stored copy with an old token, so the next request builds again."""
    calls = []

    def build():
        calls.append(1)
        if len(calls) == 1:
            generations.bump("community:7")  # another request commits a change meanwhile
        return f"v{len(calls)}", True

    scopes = lambda: ["community:7"]  # noqa: E731
    assert pages.cached("race", scopes, build) == "v1"
    assert pages.cached("race", scopes, build) == "v2"
    assert pages.cached("race", scopes, build) == "v2"


def test_a_lost_token_is_a_miss_never_a_match():
    builds = []

    def build():
        builds.append(1)
        return len(builds), True

    scopes = lambda: ["directory"]  # noqa: E731
    assert pages.cached("lost", scopes, build) == 1
    cache.delete("gen:v1:directory")  # evicted, or the cache restarted without it
    assert pages.cached("lost", scopes, build) == 2
    assert generations.tokens(["directory"]) is not None


def test_unstorable_values_are_built_every_time():
    builds = []

    def build():
        builds.append(1)
        return len(builds), False

    assert pages.cached("no", lambda: ["directory"], build) == 1
    assert pages.cached("no", lambda: ["directory"], build) == 2


def test_cache_outage_costs_speed_not_the_page(client, member, other_member, idea, monkeypatch):
    """With the page cache's store unreachable every page is built afresh, and bumps fail
    quietly (sessions and sign-in have their own handling of an outage)."""
    client.force_login(member)

    class Down:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise ConnectionError("cache down")

            return fail

    monkeypatch.setattr(generations, "cache", Down())  # where the page cache reads and writes
    assert "Wax the chain" in _get(client)
    generations.bump(generations.community(idea.community_id))
    knowledge_services.support_add(user=other_member, contribution=idea)  # not its author
    assert generations.tokens(["directory"]) is None
    assert "Wax the chain" in _get(client)


def test_signed_in_pages_survive_the_whole_cache_being_down(client, member, idea, monkeypatch):
    """Sessions, sign-in and pages all fall back to the database when Redis is unreachable."""
    client.force_login(member)
    _get(client)

    def fail(*args, **kwargs):
        raise ConnectionError("cache down")

    for name in ("get", "get_many", "set", "set_many", "add", "incr", "has_key"):
        monkeypatch.setattr(cache, name, fail)
    html = _get(client)
    assert "Wax the chain" in html and "Maya Member" in html


# --- Pages ---------------------------------------------------------------------------------------


def test_a_hit_reads_nothing_of_the_community_from_the_database(client, member, idea):
    client.force_login(member)
    first = _get(client)
    with CaptureQueriesContext(connection) as queries:
        second = _get(client)
    assert second == first.replace(
        first.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0],
        second.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0],
    )
    touched = _tables(queries.captured_queries)
    assert not touched & {
        "knowledge_contribution",
        "communities_community",
        "communities_membership",
        "notifications_notification",
    }, touched


def test_each_response_gets_its_viewers_own_working_csrf_token(client, other_member, idea):
    client.force_login(other_member)  # not the idea's author, who cannot support it
    _get(client)
    html = _get(client)
    assert pages.CSRF_PLACEHOLDER not in html
    token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    csrf_client = type(client)(enforce_csrf_checks=True)
    csrf_client.force_login(other_member)
    csrf_client.cookies = client.cookies
    url = reverse("knowledge:support", args=["trail-bike-lab", idea.pk])
    response = csrf_client.post(url, {"csrfmiddlewaretoken": token})
    assert response.status_code in (200, 302)
    assert Contribution.objects.get(pk=idea.pk).support_count == 1


def test_pages_are_per_viewer(client, community, member, idea):
    other = UserFactory(display_name="Otto Other")
    MembershipFactory(community=community, user=other)
    client.force_login(member)
    mine = _get(client)
    client.force_login(other)
    theirs = _get(client)
    assert "Maya Member" in mine.split("</header>")[0]
    assert "Otto Other" in theirs.split("</header>")[0]
    assert "Maya Member" not in theirs.split("</header>")[0]


def test_bell_follows_notifications_on_next_request(client, member, idea):
    client.force_login(member)
    assert 'data-unread="0"' in _get(client)
    note = Notification.objects.create(recipient=member, kind="mention", text="Hi", url="/")
    assert 'data-unread="1"' in _get(client)
    client.post(reverse("notifications:read", args=[note.pk]))
    assert 'data-unread="0"' in _get(client)


def test_pending_message_is_never_cached_or_served_from_cache(client, member, idea, rf):
    client.force_login(member)
    _get(client)  # the page is now cached for this member
    client.cookies["messages"] = CookieStorage(rf.get(FEED))._encode(
        [Message(messages.SUCCESS, "Saved your idea.")]
    )
    assert "Saved your idea." in _get(client)
    assert "Saved your idea." not in _get(client)  # shown once, never kept in the cache


def test_not_found_is_not_cached(client, member):
    client.force_login(member)
    url = reverse("knowledge:feed", args=["no-such-place"])
    assert client.get(url).status_code == 404
    assert client.get(url).status_code == 404


def test_directory_follows_a_new_community_for_anonymous_and_members(
    client, community, organization, member
):
    assert "Rain Garden" not in _get(client, DIRECTORY)
    client.force_login(member)
    assert "Rain Garden" not in _get(client, DIRECTORY)
    CommunityFactory(organization=organization, name="Rain Garden", slug="rain-garden")
    assert "Rain Garden" in _get(client, DIRECTORY)
    client.logout()
    assert "Rain Garden" in _get(client, DIRECTORY)


def test_made_up_parameters_are_built_but_never_cached(client, member, idea):
    client.force_login(member)
    _get(client, FEED + "?tag=chains")
    with CaptureQueriesContext(connection) as known:
        _get(client, FEED + "?tag=chains")
    assert "knowledge_contribution" not in _tables(known.captured_queries)
    _get(client, FEED + "?utm_source=mail")
    with CaptureQueriesContext(connection) as unknown:
        html = _get(client, FEED + "?utm_source=mail")
    assert "knowledge_contribution" in _tables(unknown.captured_queries)
    assert "Wax the chain" in html and pages.CSRF_PLACEHOLDER not in html


OLD_PLACEHOLDER = "__cocreate-csrf-token-placeholder__"  # the fixed string it once was


@pytest.mark.parametrize("typed", [OLD_PLACEHOLDER, "csrf-" + "0" * 32])
def test_what_a_person_types_comes_back_as_typed_on_cached_pages(client, member, idea, typed):
    """The placeholder a cached page holds for each viewer's CSRF token is derived from
    SECRET_KEY: text that looks like it, in a name or a title, is never replaced (issue 11)."""
    member.display_name = f"Mia {typed}"
    member.save()
    idea.title = f"Wax {typed}"
    idea.save()
    client.force_login(member)
    for _ in range(2):  # built with the placeholder and stored; then served from the cache
        html = _get(client)
        assert f"Mia {typed}" in html and f"Wax {typed}" in html
        assert pages.CSRF_PLACEHOLDER not in html
    directory = client.get(reverse("communities:directory"), {"q": typed}).content.decode()
    assert typed in directory


def test_the_placeholder_follows_the_secret_key(settings):
    settings.SECRET_KEY = "another-" + "k" * 50
    assert fragments._secret_placeholder() != pages.CSRF_PLACEHOLDER
    assert OLD_PLACEHOLDER != pages.CSRF_PLACEHOLDER
