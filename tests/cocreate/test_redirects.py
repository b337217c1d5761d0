"""``next=`` targets are judged as a browser reads them: a tab, newline, backslash or encoded
slash cannot turn a path of this site into a link to another (issue 11, finding 6)."""

import pytest
from django.test import RequestFactory

from cocreate.redirects import safe_next
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REFUSED = [
    "//%09/evil.example",
    "//\t/evil.example",
    "/%2F/evil.example",
    "/%5Cevil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "%2F%2Fevil.example",
    "/%0a/evil.example",
    " //evil.example",
    "//evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
]
ACCEPTED = ["/communities/", "/c/trail-bike-lab/ideas/?sort=top", "http://testserver/communities/"]


@pytest.mark.parametrize("target", REFUSED)
def test_targets_a_browser_could_read_as_another_site_are_refused(target):
    assert not safe_next(RequestFactory().get("/"), target)


@pytest.mark.parametrize("target", ACCEPTED)
def test_paths_of_this_site_are_accepted(target):
    assert safe_next(RequestFactory().get("/"), target)


@pytest.mark.parametrize("target", REFUSED)
def test_the_sign_in_page_never_sends_a_signed_in_person_there(client, target):
    client.force_login(UserFactory())
    response = client.get("/accounts/login/", {"next": target})
    assert response.status_code == 302
    assert "evil" not in response["Location"] and response["Location"].startswith("/")
