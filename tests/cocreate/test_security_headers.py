"""Every dynamic response carries the Content-Security-Policy, the Permissions-Policy and
``Cache-Control: private`` (issue 11, finding 5)."""

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _check(response) -> None:
    assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in response["Content-Security-Policy"]
    assert (
        "unsafe-inline"
        not in response["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    )
    assert "style-src 'self';" in response["Content-Security-Policy"]
    assert response["Permissions-Policy"] == settings.PERMISSIONS_POLICY
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("path", ["/communities/", "/accounts/login/", "/api/docs/", "/nope/"])
def test_pages_for_anyone(client, path):
    _check(client.get(path))


def test_a_signed_in_page_twice_the_second_from_the_page_cache(client, community):
    client.force_login(UserFactory())
    for _ in range(2):
        _check(client.get("/communities/"))


def test_api_answers(community):
    client = APIClient()
    client.force_authenticate(UserFactory())
    _check(client.get("/api/v1/communities/"))
    _check(client.get("/api/v1/communities/no-such-community/"))


def test_no_page_template_has_inline_style():
    """The policy allows no inline style, so no template a browser renders as a page may carry
    a style attribute or element (an email's inline styles are for mail clients)."""
    import re  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    root = Path(settings.BASE_DIR)
    offenders = []
    for template in root.glob("**/templates/**/*.html"):
        relative = template.relative_to(root)
        if relative.parts[0] == ".venv" or "email" in relative.parts:
            continue
        text = template.read_text()
        if re.search(r"\sstyle\s*=|<style[\s>]", text, re.IGNORECASE):
            offenders.append(str(relative))
    assert offenders == []
