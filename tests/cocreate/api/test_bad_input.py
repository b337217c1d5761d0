"""Bad input answers 400 with a JSON body, never 500 (issue 11): bodies nested too deeply, on
any JSON endpoint (the anonymous token endpoint too), and cursors that were forged, truncated
or made for another ordering."""

import base64

import pytest
from rest_framework.test import APIClient

from cocreate.api.parsers import MAX_DEPTH
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/communities/lab/contributions/"


@pytest.fixture
def member():
    user = UserFactory()
    MembershipFactory(community=CommunityFactory(slug="lab"), user=user)
    return user


def _client(user=None) -> APIClient:
    client = APIClient(raise_request_exception=False)
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1000, 100_000])
@pytest.mark.parametrize("shape", ["[", '{"a":'])
def test_deeply_nested_bodies_are_refused(member, depth, shape):
    closing = "]" if shape == "[" else "}"
    body = shape * depth + "1" + closing * depth
    for client, path in ((_client(member), LIST), (_client(), "/api/v1/auth/token/")):
        response = client.post(path, data=body, content_type="application/json")
        assert response.status_code == 400, (path, response.content[:200])
        assert response.json()["code"] == "parse_error"
        assert str(MAX_DEPTH) in response.json()["detail"]


def test_a_body_within_the_limit_is_parsed(member):
    body = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    response = _client(member).post(LIST, data=body, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] != "parse_error"


def _cursor(query: str) -> str:
    return base64.b64encode(query.encode()).decode()


@pytest.mark.parametrize(
    "sort, cursor",
    [
        ("top", _cursor("p=abc")),  # a number expected
        ("top", _cursor("r=1&p=xx")),
        ("new", _cursor("p=abc")),  # a date expected
        ("top", _cursor("p=2026-01-01 10:00:00+00:00")),  # a cursor of another ordering
        ("new", _cursor("p=5")),
        ("new", _cursor("o=-3")),  # DRF's own "invalid cursor"
    ],
)
def test_forged_cursors_answer_400_naming_the_cursor(member, sort, cursor):
    response = _client(member).get(LIST, {"sort": sort, "cursor": cursor})
    assert response.status_code == 400, response.content[:200]
    assert "cursor" in response.json()["errors"]


@pytest.mark.parametrize(
    "body", ['{"reason": "\\ud800"}', '{"\\udfff": 1}', '["ok", ["\\ud800x"]]']
)
def test_text_that_is_not_unicode_is_refused(member, body):
    response = _client(member).post(LIST, data=body, content_type="application/json")
    assert response.status_code == 400, response.content[:200]
    assert response.json() == {
        "detail": "The JSON body contains text that is not valid Unicode.",
        "code": "parse_error",
    }


def test_a_cursor_holding_a_nul_is_refused(member):
    response = _client(member).get("/api/v1/communities/", {"cursor": _cursor("p=\x00")})
    assert response.status_code == 400 and "cursor" in response.json()["errors"]
