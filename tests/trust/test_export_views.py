"""The "Your data" page, its polled partial, the download (owner only: the two Decidim CVE
regressions) and the account deletion page."""

import io
import zipfile

import pytest
from django.utils import timezone

from tests.factories import TEST_PASSWORD, UserFactory
from tests.htmlcheck import duplicate_ids, labels_without_control
from trust.models import DataExport, Erasure

from .support import build_export

pytestmark = pytest.mark.django_db


def _ready(member, django_capture_on_commit_callbacks) -> DataExport:
    return build_export(member, django_capture_on_commit_callbacks)


def _download(export: DataExport) -> str:
    return f"/accounts/data/exports/{export.pk}/download/"


def test_the_page_lists_exports_with_status_and_download_link(
    client, member, django_capture_on_commit_callbacks
):
    export = _ready(member, django_capture_on_commit_callbacks)
    client.force_login(member)
    page = client.get("/accounts/data/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Request an export" in html and "Ready" in html and _download(export) in html
    assert 'hx-trigger="every' not in html  # nothing building: no polling
    assert "<script>" not in html and " style=" not in html and "<style" not in html
    assert duplicate_ids(html) == [] and labels_without_control(html) == []


def test_a_building_export_shows_progress_and_polls_the_partial(client, member):
    DataExport.objects.create(user=member, status="building", done=30, total=120)
    client.force_login(member)
    html = client.get("/accounts/data/").content.decode()
    assert '<progress max="100" value="25">' in html
    assert 'hx-get="/accounts/data/exports/"' in html and 'hx-trigger="every 2s"' in html
    assert "30 of 120 records" in html
    assert "disabled" in html  # one at a time
    partial = client.get("/accounts/data/exports/", HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="exports"') and "<html" not in partial
    DataExport.objects.filter(user=member).update(status="failed")
    after = client.get("/accounts/data/exports/").content.decode()
    assert "hx-trigger" not in after  # finished: the polling stops


def test_requesting_an_export_builds_it_and_says_so(
    client, member, django_capture_on_commit_callbacks
):
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/data/", follow=True)
    assert "Your export is being prepared" in response.content.decode()
    assert DataExport.objects.get(user=member).status == "ready"


def test_a_second_request_while_running_shows_a_clear_error(client, member):
    DataExport.objects.create(user=member)
    client.force_login(member)
    response = client.post("/accounts/data/", follow=True)
    assert "already being prepared" in response.content.decode()
    assert DataExport.objects.filter(user=member).count() == 1


def test_the_owner_downloads_the_archive_as_a_private_attachment(
    client, member, django_capture_on_commit_callbacks
):
    export = _ready(member, django_capture_on_commit_callbacks)
    client.force_login(member)
    response = client.get(_download(export))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    assert "README.txt" in zipfile.ZipFile(io.BytesIO(body)).namelist()


def test_cve_2025_65017_one_members_export_is_never_served_to_another(
    client, member, django_capture_on_commit_callbacks
):
    export = _ready(member, django_capture_on_commit_callbacks)
    client.force_login(UserFactory())
    assert client.get(_download(export)).status_code == 404
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(_download(export)).status_code == 404


def test_cve_2026_45377_a_download_link_replayed_signed_out_is_404(
    client, member, django_capture_on_commit_callbacks
):
    export = _ready(member, django_capture_on_commit_callbacks)
    client.force_login(member)
    assert client.get(_download(export)).status_code == 200
    client.logout()
    response = client.get(_download(export))
    assert response.status_code == 404  # not a redirect to sign in: the link confirms nothing


def test_an_expired_unfinished_or_unknown_export_is_404(
    client, member, django_capture_on_commit_callbacks
):
    export = _ready(member, django_capture_on_commit_callbacks)
    client.force_login(member)
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now())
    assert client.get(_download(export)).status_code == 404
    building = DataExport.objects.create(user=member, status="building")
    assert client.get(_download(building)).status_code == 404
    assert client.get("/accounts/data/exports/" + "x" * 43 + "/download/").status_code == 404
    assert client.get("/accounts/data/exports/" + "x" * 300 + "/download/").status_code == 404


def test_the_account_nav_links_to_your_data(client, member):
    client.force_login(member)
    html = client.get("/accounts/profile/").content.decode()
    assert 'href="/accounts/data/"' in html


def test_deleting_the_account_needs_the_password(client, member):
    client.force_login(member)
    page = client.get("/accounts/delete/")
    assert "contributions, comments, supports and memberships remain" in page.content.decode()
    wrong = client.post("/accounts/delete/", {"password": "nope"})
    assert wrong.status_code == 400 and "The password is not correct." in wrong.content.decode()
    assert not Erasure.objects.exists()


def test_deleting_the_account_signs_out_and_names_the_pseudonym(
    client, member, django_capture_on_commit_callbacks
):
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/delete/", {"password": TEST_PASSWORD}, follow=True)
    assert f"Former member {member.pk}" in response.content.decode()
    assert Erasure.objects.filter(user=member).exists()
    assert client.get("/accounts/data/").status_code == 302
