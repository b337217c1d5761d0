"""``OPTIONS`` on the API: what the endpoint renders and parses and where its operations are
described, for views with and without a queryset, never a 500."""

import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/notification-preferences/", "/api/v1/communities/"])
def test_options_describes_the_endpoint_without_reading_a_row(path):
    client = APIClient()
    client.force_authenticate(UserFactory())
    response = client.options(path)
    assert response.status_code == 200
    body = response.json()
    assert body["schema"] == "/api/schema/" and "application/json" in body["renders"]
    assert "actions" not in body


def test_options_of_the_api_docs_page():
    response = APIClient().options("/api/docs/")
    assert response.status_code == 204 and "GET" in response["Allow"]
