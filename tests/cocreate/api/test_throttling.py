"""API throttles count in a fixed window with one atomic counter: the request after the limit
gets 429 with Retry-After, per user for signed-in requests and per address for anonymous ones."""

import pytest
from django.core.cache import cache
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.throttling import AnonRateThrottle as DrfAnonRateThrottle

from cocreate.api import throttling
from cocreate.api.views import ApiView

from ...clients import session_client, token_client

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
TOKEN = "/api/v1/auth/token/"


@pytest.fixture
def rates(settings):
    """Set DEFAULT_THROTTLE_RATES for one test (DRF reloads api_settings on the change)."""

    def set_rates(**changed):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                **changed,
            },
        }

    return set_rates


@pytest.fixture
def clock(monkeypatch):
    """A settable ``time.time`` for the throttles; starts 10 s into a minute."""
    now = {"t": 1_000_000_030.0}  # 1_000_000_020 is a whole minute
    monkeypatch.setattr(throttling.FixedWindowRateThrottle, "timer", lambda self: now["t"])
    return now


class OpenView(ApiView):
    """Anyone may call it; the default throttles apply."""

    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"ok": True})


def call_open_view(address: str):
    request = APIRequestFactory().get("/open/", REMOTE_ADDR=address)
    return OpenView.as_view()(request)


def test_settings_use_the_fixed_window_throttles(settings):
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == [
        "cocreate.api.throttling.AnonRateThrottle",
        "cocreate.api.throttling.UserRateThrottle",
    ]
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["token"] == "10/min"
    assert issubclass(throttling.AnonRateThrottle, DrfAnonRateThrottle)


def test_signed_in_user_gets_429_with_retry_after_after_the_limit(member, rates, clock):
    rates(user="3/min")
    client = session_client(member)
    assert [client.get(ME).status_code for _ in range(3)] == [200] * 3
    response = client.get(ME)
    assert response.status_code == 429
    assert response["Retry-After"] == "50"  # 10 s into the minute
    assert response.json()["code"] == "throttled"


def test_users_are_counted_apart_by_pk(member, outsider, rates):
    rates(user="2/min")
    member_client = token_client(member)
    assert [member_client.get(ME).status_code for _ in range(3)] == [200, 200, 429]
    # A different user from the same address still has their whole allowance.
    assert token_client(outsider).get(ME).status_code == 200
    # Session or token: the same user, the same count.
    assert session_client(member).get(ME).status_code == 429


def test_next_window_starts_afresh(member, rates, clock):
    rates(user="1/min")
    client = session_client(member)
    assert client.get(ME).status_code == 200
    clock["t"] += 49
    blocked = client.get(ME)
    assert blocked.status_code == 429
    assert blocked["Retry-After"] == "1"
    clock["t"] += 1  # the next minute
    assert client.get(ME).status_code == 200


def test_anonymous_clients_are_counted_by_address(rates, clock):
    rates(anon="2/min")
    assert [call_open_view("192.0.2.1").status_code for _ in range(2)] == [200, 200]
    refused = call_open_view("192.0.2.1")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "50"
    assert call_open_view("192.0.2.2").status_code == 200


def test_token_scope_keeps_its_rate_and_sends_retry_after(member, rates):
    rates(token="2/min")
    client = session_client()
    body = {"email": member.email, "password": "wrong"}
    assert [client.post(TOKEN, body).status_code for _ in range(2)] == [400, 400]
    response = client.post(TOKEN, body)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60


def test_state_per_subject_is_one_integer(member, rates, clock):
    rates(user="1000/min")
    client = session_client(member)
    for _ in range(25):
        assert client.get(ME).status_code == 200
    window = int(clock["t"] // 60)
    assert cache.get(f"throttle:fw:user:{member.pk}:{window}") == 25


def test_wait_is_the_rest_of_the_window(clock):
    throttle = throttling.UserRateThrottle()
    throttle.now = clock["t"]
    throttle.window_end = (int(clock["t"] // 60) + 1) * 60
    assert throttle.wait() == 50
