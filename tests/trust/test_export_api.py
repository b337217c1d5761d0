"""The data-export and erasure API: request, list, poll, download (the same 404 rules as the
page), erase (password in the body), and what each costs in queries."""

import io
import zipfile

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import TEST_PASSWORD, UserFactory
from trust.models import DataExport, Erasure

from ..querycount import get_queries, same_at_5_and_50

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(member):
    client = APIClient()
    client.force_authenticate(member)
    return client


def test_request_poll_and_download_an_export(api, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post("/api/v1/exports/")
    assert created.status_code == 202
    export_id = created.json()["id"]
    assert len(export_id) >= 43
    polled = api.get(f"/api/v1/exports/{export_id}/").json()
    assert polled["status"] == "ready" and polled["percent"] == 100
    assert polled["download_url"] == f"/api/v1/exports/{export_id}/download/"
    listed = api.get("/api/v1/exports/").json()
    assert [e["id"] for e in listed] == [export_id]
    response = api.get(polled["download_url"])
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "knowledge.comment.json" in archive.namelist()


def test_a_second_request_while_running_is_409(api, member):
    DataExport.objects.create(user=member)
    response = api.post("/api/v1/exports/")
    assert response.status_code == 409 and response.json()["code"] == "export_running"
    assert DataExport.objects.filter(user=member).count() == 1


def test_another_members_export_is_404_in_the_api(api, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        export_id = api.post("/api/v1/exports/").json()["id"]
    other = APIClient()
    other.force_authenticate(UserFactory())
    assert other.get(f"/api/v1/exports/{export_id}/").status_code == 404
    assert other.get(f"/api/v1/exports/{export_id}/download/").status_code == 404
    assert other.get("/api/v1/exports/").json() == []
    signed_out = APIClient()
    assert signed_out.get(f"/api/v1/exports/{export_id}/download/").status_code == 404


def test_erase_with_a_wrong_password_is_a_400_field_error(api, member):
    response = api.post("/api/v1/account/erase/", {"password": "wrong"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()["errors"]
    assert not Erasure.objects.exists()
    missing = api.post("/api/v1/account/erase/", {}, format="json")
    assert missing.status_code == 400 and "password" in missing.json()["errors"]


def test_erase_through_the_api_ends_the_token(member, django_capture_on_commit_callbacks):
    token = Token.objects.create(user=member)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/account/erase/", {"password": TEST_PASSWORD}, format="json")
    assert response.status_code == 200
    assert response.json() == {"pseudonym": f"Former member {member.pk}"}
    assert client.get("/api/v1/exports/").status_code == 401


def test_the_schema_documents_the_export_and_erasure_api(client):
    schema = client.get("/api/schema/?format=json").json()
    for path in (
        "/api/v1/exports/",
        "/api/v1/exports/{export_id}/",
        "/api/v1/exports/{export_id}/download/",
        "/api/v1/account/erase/",
    ):
        assert path in schema["paths"], path


def _add_exports(member, n: int) -> None:
    DataExport.objects.bulk_create(
        [DataExport(user=member, status=DataExport.Status.FAILED) for _ in range(n)]
    )


def test_the_export_list_costs_the_same_at_5_and_50(client, member):
    client.force_login(member)

    def count() -> int:
        return get_queries(client, "/api/v1/exports/")

    assert same_at_5_and_50(lambda n: _add_exports(member, n), count, "exports list") <= 4


def test_the_your_data_page_costs_the_same_at_5_and_50(client, member):
    client.force_login(member)

    def count() -> int:
        return get_queries(client, "/accounts/data/", contains="Failed")

    assert same_at_5_and_50(lambda n: _add_exports(member, n), count, "your data page") <= 6
