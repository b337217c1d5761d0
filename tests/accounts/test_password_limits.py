"""One per-account limit on password guessing (allauth's ``login_failed``: 5 wrong passwords in
5 minutes), shared by every door a password can be tried at — the sign-in page, the token
endpoint, the password change, re-authentication — and kept while Redis is down (issue 11).

Each test runs twice: with the suite's Redis (``up``), and with the cache on a Redis of the
test's own that is stopped (``down``: the limits count in the database).
"""

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from cocreate.caching.backend import available
from cocreate.models import RateCounter

from ..factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"
CHANGE = "/accounts/password/change/"
REAUTH = "/accounts/reauthenticate/"
REFUSED = "Too many failed"


@pytest.fixture(params=["up", "down"])
def redis(request):
    """``up``: the suite's cache. ``down``: the cache's Redis stopped for the test."""
    if request.param == "down":
        server = request.getfixturevalue("outage_cache")
        server.stop()
    yield request.param
    if request.param == "down":
        assert not available(cache), "the cache came back during the test"
        assert RateCounter.objects.exists(), "nothing was counted in the database"


def page_from(address: str, user=None) -> Client:
    client = Client(REMOTE_ADDR=address)
    if user is not None:
        client.force_login(user)
    return client


def api_from(address: str) -> APIClient:
    client = APIClient()
    client.defaults["REMOTE_ADDR"] = address
    return client


def signs_in(user, address: str = "203.0.113.50") -> bool:
    client = page_from(address)
    response = client.post(LOGIN, {"login": user.email, "password": TEST_PASSWORD})
    return response.status_code == 302 and "_auth_user_id" in client.session


def wrong_at_login(user, times: int = 5) -> None:
    for n in range(times):
        response = page_from(f"198.51.100.{n}").post(
            LOGIN, {"login": user.email, "password": "wrong"}
        )
        assert response.status_code == 200 and REFUSED not in response.content.decode()


def test_the_sign_in_page_refuses_the_account_after_five_wrong_passwords(redis):
    user = UserFactory()
    wrong_at_login(user)
    client = page_from("203.0.113.9")
    response = client.post(LOGIN, {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account is not affected.
    assert signs_in(UserFactory())


def test_the_token_endpoint_refuses_the_account_after_five_wrong_passwords(redis):
    user = UserFactory()
    for n in range(5):
        response = api_from(f"198.51.100.{n}").post(
            TOKEN, {"email": user.email, "password": "wrong"}
        )
        assert response.status_code == 400
    right = api_from("203.0.113.9").post(TOKEN, {"email": user.email, "password": TEST_PASSWORD})
    assert right.status_code == 429
    assert not signs_in(user)  # the same limit at the sign-in page


def test_a_right_password_does_not_count(redis):
    user = UserFactory()
    for _ in range(6):
        assert signs_in(user)


def test_wrong_current_passwords_at_the_password_change_count(redis):
    user = UserFactory()
    client = page_from("198.51.100.1", user)
    for _ in range(5):
        response = client.post(
            CHANGE,
            {
                "oldpassword": "wrong",
                "password1": "A new long passphrase",
                "password2": "A new long passphrase",
            },
        )
        assert response.status_code == 200  # the form again, with its error
    assert not signs_in(user)
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_the_password_change_is_refused_while_the_account_is(redis):
    user = UserFactory()
    client = page_from("198.51.100.1", user)
    wrong_at_login(user)
    new = "A new long passphrase"
    response = client.post(
        CHANGE, {"oldpassword": TEST_PASSWORD, "password1": new, "password2": new}
    )
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD), "the password was changed although refused"


def test_wrong_passwords_at_re_authentication_count(redis):
    user = UserFactory()
    client = page_from("198.51.100.1", user)
    for _ in range(5):
        response = client.post(REAUTH, {"password": "wrong"})
        assert response.status_code == 200
    assert not signs_in(user)


def test_re_authentication_is_refused_while_the_account_is(redis):
    user = UserFactory()
    client = page_from("198.51.100.1", user)
    wrong_at_login(user)
    response = client.post(REAUTH, {"password": TEST_PASSWORD})
    assert response.status_code == 200
    assert REFUSED in response.content.decode()


def test_the_limit_is_one_per_account_whatever_the_host_name(redis, settings):
    user = UserFactory()
    for n in range(5):
        page_from(f"198.51.100.{n}").post(
            LOGIN, {"login": user.email, "password": "wrong"}, HTTP_HOST=f"host{n}.example.org"
        )
    assert not signs_in(user)
