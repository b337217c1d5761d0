"""The signed-in person's API: profile (GET/PATCH /api/v1/me/) and tokens (/api/v1/auth/token/)."""

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from rest_framework.authtoken.models import Token

from ..clients import session_client, token_client
from ..factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
TOKEN = "/api/v1/auth/token/"


def profile(user) -> tuple:
    return (user.display_name, user.bio, user.expertise_tags, user.locale, user.timezone)


def test_anonymous_gets_401_with_token_challenge():
    response = session_client().get(ME)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "detail": "Authentication credentials were not provided.",
        "code": "not_authenticated",
    }


def test_me_shows_own_profile_with_email(member):
    response = session_client(member).get(ME)
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == member.email
    assert body["display_name"] == "Maya Member"
    assert set(body) == {
        "id",
        "email",
        "public_name",
        "display_name",
        "bio",
        "expertise_tags",
        "locale",
        "timezone",
    }


def test_patch_changes_only_given_fields_and_normalises_tags(member):
    response = token_client(member).patch(
        ME,
        {"bio": "  I ride.  ", "expertise_tags": ["Gravel", "gravel ", "  Product   Design"]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    member.refresh_from_db()
    assert member.bio == "I ride."
    assert member.expertise_tags == ["gravel", "product design"]
    assert member.display_name == "Maya Member"  # untouched
    assert response.json()["expertise_tags"] == ["gravel", "product design"]


def test_email_cannot_be_changed_through_the_profile(member):
    old = member.email
    response = session_client(member).patch(ME, {"email": "new@example.test"}, format="json")
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.email == old


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"locale": "xx"}, "locale"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"display_name": "x" * 81}, "display_name"),
        ({"expertise_tags": [f"t{i}" for i in range(13)]}, "expertise_tags"),
        ({"expertise_tags": ["x" * 41]}, "expertise_tags.0"),
        ({"bio": "nul\x00byte"}, "bio"),
    ],
)
def test_bad_profile_body_is_400_with_field_errors_and_writes_nothing(member, body, field):
    before = profile(member)
    response = session_client(member).patch(ME, body, format="json")
    assert response.status_code == 400
    payload = response.json()
    assert payload["code"] == "invalid"
    assert field in payload["errors"], payload
    assert all(isinstance(m, str) for msgs in payload["errors"].values() for m in msgs)
    member.refresh_from_db()
    assert profile(member) == before


def test_malformed_json_is_400():
    user = UserFactory()
    response = session_client(user).generic(
        "PATCH", ME, "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_token_exchange_then_token_auth_then_revoke(member):
    client = session_client()
    response = client.post(TOKEN, {"email": member.email.upper(), "password": TEST_PASSWORD})
    assert response.status_code == 200
    key = response.json()["token"]
    assert Token.objects.get(user=member).key == key
    # The same token comes back the second time.
    again = client.post(TOKEN, {"email": member.email, "password": TEST_PASSWORD})
    assert again.json()["token"] == key

    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(ME).json()["email"] == member.email

    assert client.delete(TOKEN).status_code == 204
    assert not Token.objects.filter(user=member).exists()
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_token_refused_for_wrong_password_and_unknown_email_alike(member):
    client = session_client()
    wrong = client.post(TOKEN, {"email": member.email, "password": "nope"})
    unknown = client.post(TOKEN, {"email": "nobody@example.test", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.json() == unknown.json()
    assert not Token.objects.exists()


def test_token_refused_until_email_is_verified():
    user = UserFactory()
    EmailAddress.objects.filter(user=user).update(verified=False)
    response = session_client().post(TOKEN, {"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert "Confirm your email" in response.json()["detail"]
    assert not Token.objects.exists()


def test_token_endpoint_is_throttled_per_address(member):
    # Ten accounts guessed at from one address (each below its own limit): the eleventh
    # request of the minute is refused, whoever it is for.
    client = session_client()
    statuses = [
        client.post(TOKEN, {"email": f"guess{n}@example.org", "password": "wrong"}).status_code
        for n in range(11)
    ]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429
    response = client.post(TOKEN, {"email": member.email, "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"


def _from(address: str):
    client = session_client()
    client.defaults["REMOTE_ADDR"] = address
    return client


def _page_from(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def test_wrong_passwords_for_one_account_from_many_addresses_lock_the_token_door(member):
    """Five wrong passwords for one account, each from another address: the sixth attempt is
    refused even with the right password, at the token endpoint (issue 11, finding 2)."""
    statuses = [
        _from(f"198.51.100.{n}").post(TOKEN, {"email": member.email, "password": "wrong"})
        for n in range(5)
    ]
    assert [r.status_code for r in statuses] == [400] * 5
    right = _from("203.0.113.9").post(TOKEN, {"email": member.email, "password": TEST_PASSWORD})
    assert right.status_code == 429
    assert right.json()["code"] == "throttled" and "Too many failed attempts" in str(right.json())


def test_the_sign_in_page_and_the_token_endpoint_count_the_same_attempts(member):
    # Blocked at the sign-in page: no token either, from another address.
    for n in range(5):
        page = _page_from(f"198.51.100.{n}").post(
            "/accounts/login/", {"login": member.email, "password": "wrong"}
        )
        assert page.status_code == 200  # the form again, with its error
    right = _from("203.0.113.9").post(TOKEN, {"email": member.email, "password": TEST_PASSWORD})
    assert right.status_code == 429
    # And the other way round: failures at the token endpoint block the sign-in page.
    other = UserFactory()
    for n in range(5):
        _from(f"192.0.2.{n}").post(TOKEN, {"email": other.email, "password": "wrong"})
    page = _page_from("203.0.113.10").post(
        "/accounts/login/", {"login": other.email, "password": TEST_PASSWORD}
    )
    assert "_auth_user_id" not in page.wsgi_request.session
    assert "Too many failed" in page.content.decode()


def test_token_post_ignores_a_session_without_csrf(member):
    # A logged-in browser asking for a token must not trip over CSRF: the body carries the
    # credentials, and the session is not used.
    client = session_client(member, enforce_csrf=True)
    response = client.post(TOKEN, {"email": member.email, "password": TEST_PASSWORD})
    assert response.status_code == 200


def test_session_writes_need_csrf(member):
    client = session_client(member, enforce_csrf=True)
    response = client.patch(ME, {"bio": "sneaky"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    member.refresh_from_db()
    assert member.bio == ""


def test_revoke_needs_sign_in():
    assert session_client().delete(TOKEN).status_code == 401
