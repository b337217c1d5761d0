"""Under the Content-Security-Policy the pages still work: htmx and the site's scripts load, the
API's interactive docs render (their set-up script is a file, not inline), and nothing is
refused (``new_page`` fails a test for any refusal Chromium reports)."""

import pytest

from ..factories import CommunityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_under_the_policy(new_page):
    page = new_page()
    page.goto("/api/docs/")
    page.get_by_text("Cocreate API").first.wait_for()
    assert "Content-Security-Policy" in {k.title() for k in page.request.get("/api/docs/").headers}


def test_htmx_and_the_site_scripts_run_under_the_policy(new_page):
    CommunityFactory(name="Trail Bike Lab", slug="trail-bike-lab")
    page = new_page()
    page.goto("/communities/")
    page.get_by_role("link", name="Trail Bike Lab").first.wait_for()
    assert page.evaluate("typeof window.htmx") == "object"
