"""The signed-in user and the API token's user come from the cache, validated by the user's
generation token: no query per request, and every change is seen on the very next request."""

import pytest
from django.contrib.auth import HASH_SESSION_KEY
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.core.cache import cache, caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIRequestFactory

from accounts import services
from accounts.authentication import CachedTokenAuthentication
from accounts.middleware import CachedAuthenticationMiddleware
from cocreate.caching import generations

from ..clients import session_client, token_client
from ..factories import UserFactory

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
PROFILE = "/accounts/profile/"


def user_queries(captured) -> list[str]:
    return [q["sql"] for q in captured if 'FROM "accounts_user"' in q["sql"]]


def token_queries(captured) -> list[str]:
    return [q["sql"] for q in captured if 'FROM "authtoken_token"' in q["sql"]]


def get(client, path: str):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    return response, ctx.captured_queries


@pytest.fixture
def cache_down(monkeypatch):
    """Every generation-token read fails, as when Redis is unreachable."""

    def boom(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(type(caches["default"]), "get_many", boom)


def test_replaces_djangos_middleware_as_a_subclass(settings):
    assert "accounts.middleware.CachedAuthenticationMiddleware" in settings.MIDDLEWARE
    assert "django.contrib.auth.middleware.AuthenticationMiddleware" not in settings.MIDDLEWARE
    # The admin's system check (admin.E408) and allauth look for a subclass.
    assert issubclass(CachedAuthenticationMiddleware, AuthenticationMiddleware)


class TestSession:
    def test_second_request_reads_no_user_row(self, member):
        client = session_client(member)
        first, captured = get(client, ME)
        assert first.status_code == 200
        assert user_queries(captured), "the cold request reads the user row"

        second, captured = get(client, ME)
        assert second.status_code == 200
        assert second.json()["email"] == member.email
        assert user_queries(captured) == []

    def test_warm_api_request_makes_no_query_at_all(self, member, django_assert_num_queries):
        client = session_client(member)
        assert client.get(ME).status_code == 200
        with django_assert_num_queries(0):
            assert client.get(ME).status_code == 200

    def test_html_page_reads_no_user_row_when_warm(self, member):
        client = session_client(member)
        assert client.get(PROFILE).status_code == 200
        response, captured = get(client, PROFILE)
        assert response.status_code == 200
        assert response.wsgi_request.user == member
        assert user_queries(captured) == []

    def test_changed_display_name_is_seen_on_the_next_request(self, member):
        client = session_client(member)
        assert client.get(ME).json()["display_name"] == "Maya Member"
        services.profile_update(
            user=member,
            display_name="Maya Renamed",
            bio="",
            expertise_tags=[],
            locale="en",
            timezone="UTC",
        )
        response, captured = get(client, ME)
        assert response.json()["display_name"] == "Maya Renamed"
        assert user_queries(captured), "the row was read again after the change"

    def test_password_change_elsewhere_ends_the_old_session(self, member):
        client = session_client(member)
        assert client.get(ME).status_code == 200
        member.set_password("a brand new passphrase")
        member.save()
        response = client.get(ME)
        assert response.status_code == 401
        assert not response.wsgi_request.user.is_authenticated

    def test_session_hash_is_checked_on_a_cached_user(self, member):
        client = session_client(member)
        assert client.get(ME).status_code == 200  # the user row is now cached
        session = client.session
        session[HASH_SESSION_KEY] = "0" * 64
        session.save()
        response, captured = get(client, ME)
        assert response.status_code == 401
        assert user_queries(captured) == [], "served from the cache, and still refused"
        assert HASH_SESSION_KEY not in client.session  # flushed, as Django does

    def test_session_signed_with_a_fallback_secret_is_re_signed(self, member, settings):
        settings.SECRET_KEY = "the-old-secret-key"
        client = session_client(member)
        assert client.get(ME).status_code == 200
        old_hash = client.session[HASH_SESSION_KEY]

        settings.SECRET_KEY = "the-new-secret-key"
        settings.SECRET_KEY_FALLBACKS = ["the-old-secret-key"]
        assert client.get(ME).status_code == 200
        new_hash = client.session[HASH_SESSION_KEY]
        assert new_hash != old_hash
        assert new_hash == member.get_session_auth_hash()

        settings.SECRET_KEY_FALLBACKS = []
        settings.SECRET_KEY = "yet-another-secret-key"
        assert client.get(ME).status_code == 401

    def test_deactivated_user_is_anonymous_on_the_next_request(self, member):
        client = session_client(member)
        assert client.get(ME).status_code == 200
        member.is_active = False
        member.save(update_fields=["is_active"])
        response = client.get(ME)
        assert response.status_code == 401
        assert response.wsgi_request.user.is_anonymous

    def test_deleted_user_is_anonymous_on_the_next_request(self, member):
        client = session_client(member)
        assert client.get(ME).status_code == 200
        member.delete()
        assert client.get(ME).status_code == 401

    def test_backend_no_longer_configured_means_anonymous(self, member, settings):
        client = session_client(member)
        assert client.get(ME).status_code == 200
        settings.AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
        # force_login recorded ModelBackend, the first backend able to log in.
        assert client.session["_auth_user_backend"] not in settings.AUTHENTICATION_BACKENDS
        assert client.get(ME).status_code == 401

    def test_cached_user_carries_nothing_from_an_earlier_request(self, member):
        client = session_client(member)
        first = client.get(ME).wsgi_request.user
        first.has_perm("accounts.change_user")  # fills the permission caches on that instance
        second = client.get(ME).wsgi_request.user
        assert second == member
        assert second._wrapped is not first._wrapped
        assert not hasattr(second._wrapped, "_perm_cache")
        assert second.password == member.password  # the row itself round-trips

    def test_signed_in_requests_work_when_the_cache_is_down(self, member, cache_down):
        client = session_client(member)
        for _ in range(2):
            response, captured = get(client, ME)
            assert response.status_code == 200
            assert response.json()["email"] == member.email
            assert user_queries(captured), "read from the database every time"

    def test_nothing_is_cached_while_the_tokens_are_unavailable(self, member, monkeypatch):
        client = session_client(member)

        def unreachable(*args, **kwargs):
            raise ConnectionError("cache down")

        # Tokens cannot be read: neither the one-trip read nor the fallback answers.
        monkeypatch.setattr(generations, "tokens", lambda scopes: None)
        monkeypatch.setattr(cache, "get_many", unreachable)
        assert client.get(ME).status_code == 200
        monkeypatch.undo()
        # A write that sends no signal: only an entry stored without a token could hide it.
        type(member).objects.filter(pk=member.pk).update(display_name="Changed Quietly")
        assert client.get(ME).json()["display_name"] == "Changed Quietly"


class TestToken:
    def test_second_request_reads_no_token_or_user_row(self, member):
        client = token_client(member)
        assert client.get(ME).status_code == 200
        response, captured = get(client, ME)
        assert response.status_code == 200
        assert response.json()["email"] == member.email
        assert response.wsgi_request.user == member
        assert token_queries(captured) == []
        assert user_queries(captured) == []

    def test_request_auth_is_the_token(self, member):
        client = token_client(member)
        key = Token.objects.get(user=member).key
        client.get(ME)
        request = APIRequestFactory().get(ME, HTTP_AUTHORIZATION=f"Token {key}")
        user, token = CachedTokenAuthentication().authenticate(request)
        assert user == member
        assert token.key == key and token.user_id == member.pk
        assert token.user is user

    def test_deleted_token_gets_401_on_the_next_request(self, member):
        client = token_client(member)
        assert client.get(ME).status_code == 200
        assert client.get(ME).status_code == 200  # cached
        assert services.api_token_revoke(user=member)
        response = client.get(ME)
        assert response.status_code == 401
        assert response.json() == {"detail": "Invalid token.", "code": "authentication_failed"}

    def test_regenerated_token_works_and_the_old_one_does_not(self, member):
        old_client = token_client(member)
        old_key = Token.objects.get(user=member).key
        assert old_client.get(ME).status_code == 200
        Token.objects.filter(user=member).delete()
        new_client = token_client(member)
        assert Token.objects.get(user=member).key != old_key
        assert new_client.get(ME).status_code == 200
        assert new_client.get(ME).status_code == 200
        assert old_client.get(ME).status_code == 401

    def test_inactive_user_gets_drfs_answer(self, member):
        client = token_client(member)
        assert client.get(ME).status_code == 200
        member.is_active = False
        member.save(update_fields=["is_active"])
        response = client.get(ME)
        assert response.status_code == 401
        assert response.json() == {
            "detail": "User inactive or deleted.",
            "code": "authentication_failed",
        }

    def test_changed_display_name_is_seen_on_the_next_request(self, member):
        client = token_client(member)
        client.get(ME)
        member.display_name = "Token Renamed"
        member.save(update_fields=["display_name"])
        assert client.get(ME).json()["display_name"] == "Token Renamed"

    def test_unknown_token_is_refused(self, db):
        client = token_client(UserFactory())
        client.credentials(HTTP_AUTHORIZATION="Token " + "f" * 40)
        response = client.get(ME)
        assert response.status_code == 401
        assert response.json()["detail"] == "Invalid token."

    def test_token_requests_work_when_the_cache_is_down(self, member, cache_down):
        client = token_client(member)
        for _ in range(2):
            response, captured = get(client, ME)
            assert response.status_code == 200
            assert token_queries(captured)


class TestInvalidation:
    def test_user_save_and_delete_replace_the_users_token(self, member):
        scope = generations.user(member.pk)
        before = generations.tokens([scope])[scope]
        member.save()
        after_save = generations.tokens([scope])[scope]
        assert after_save != before
        pk = member.pk
        member.delete()
        assert generations.tokens([generations.user(pk)])[scope] != after_save

    def test_token_save_and_delete_replace_the_users_token(self, member):
        scope = generations.user(member.pk)
        before = generations.tokens([scope])[scope]
        token = Token.objects.create(user=member)
        created = generations.tokens([scope])[scope]
        assert created != before
        token.delete()
        assert generations.tokens([scope])[scope] != created
