"""Failures Django answers itself come back, under /api/, in the API's error shape (JSON), and
as the site's pages everywhere else (issue 11)."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_unknown_api_route_is_json():
    response = APIClient().get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_a_body_too_large_is_json(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(UserFactory())
    response = client.post(
        "/api/v1/auth/token/", data="x" * 5000, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in (400, 413)
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    assert "detail" in response.json()


def test_an_unhandled_error_under_the_api_is_json(monkeypatch):
    from accounts import api  # noqa: PLC0415 — patched for this test only

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(api.MeView, "get", broken)
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(UserFactory())
    response = client.get("/api/v1/me/")
    assert response.status_code == 500
    assert response.json() == {
        "detail": "Something went wrong on our side; it was logged.",
        "code": "server_error",
    }


def test_pages_keep_their_html():
    response = Client().get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
