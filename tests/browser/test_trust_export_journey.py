"""Data export and erasure in headless Chromium: a member finds "Your data" from the site
header, requests an export, downloads the archive (its contents checked), then deletes their
account; their comment then shows the pseudonym. And a building export's progress bar moves
without reloading the page."""

import json
import zipfile

import pytest
from axe_playwright_python.sync_playwright import Axe

from communities.models import Community
from knowledge import services
from trust.models import DataExport

from ..factories import (
    TEST_PASSWORD,
    CommunityFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture
def lab():
    org = OrganizationFactory(name="Northwind", slug="northwind")
    community = CommunityFactory(
        organization=org, name="Trail Bike Lab", slug="lab", join_policy=Community.JoinPolicy.OPEN
    )
    maya = UserFactory(display_name="Maya Quill", handle="mayaq", email="maya.q@example.test")
    otto = UserFactory(display_name="Otto Other", handle="otto")
    manager = UserFactory(display_name="Mia Manager", handle="mia")
    MembershipFactory(community=community, user=maya)
    MembershipFactory(community=community, user=otto)
    MembershipFactory(community=community, user=manager, role="manager")
    toolkit = services.toolkit_create(
        actor=manager, community=community, title="Share an idea", fields=[]
    )
    idea = services.contribution_create(
        author=otto, community=community, toolkit=toolkit, title="Quieter chains", fields={}
    )
    comment = services.comment_create(
        author=maya, discussion=idea.discussion, body="Wax works for me, every month."
    )
    services.comment_create(
        author=otto, discussion=idea.discussion, body="Thanks @mayaq, trying it."
    )
    return idea, comment, maya, otto


def _sign_in(new_page, user):
    page = new_page()
    page.goto("/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def _no_violations(page) -> None:
    results = Axe().run(page, options=WCAG_AA)
    assert results.violations_count == 0, results.generate_report()


def test_export_download_then_erase(new_page, lab, tmp_path):
    idea, comment, maya, otto = lab
    page = _sign_in(new_page, maya)
    # From the site header: the profile, then "Your data" in the account navigation.
    page.get_by_role("link", name="Maya Quill").click()
    page.locator(".account-nav").get_by_role("link", name="Your data").click()
    page.wait_for_url("**/accounts/data/")
    _no_violations(page)
    page.get_by_role("button", name="Request an export").click()
    page.wait_for_url("**/accounts/data/")
    assert page.get_by_text("Your export is being prepared").is_visible()
    link = page.get_by_role("link", name="Download")
    link.wait_for()  # built in-process (Celery eager) before the page came back
    with page.expect_download() as started:
        link.click()
    download = started.value
    assert download.suggested_filename.startswith("cocreate-data-")
    saved = tmp_path / "archive.zip"
    download.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        names = set(archive.namelist())
        assert {"README.txt", "accounts.user.json", "knowledge.comment.csv"} <= names
        [profile] = json.loads(archive.read("accounts.user.json"))
        assert profile["email"] == "maya.q@example.test"
        comments = json.loads(archive.read("knowledge.comment.json"))
        assert [c["body"] for c in comments] == ["Wax works for me, every month."]
        assert (
            "knowledge.comment.json / knowledge.comment.csv" in archive.read("README.txt").decode()
        )

    # Erasure: the explanation, a wrong password, then the right one.
    page.get_by_role("link", name="Delete my account…").click()
    page.wait_for_url("**/accounts/delete/")
    assert page.get_by_text("your contributions, comments, supports and memberships").count()
    _no_violations(page)
    page.fill("input[name=password]", "not my password")
    page.get_by_role("button", name="Delete my account for good").click()
    assert page.get_by_text("The password is not correct.").is_visible()
    page.fill("input[name=password]", TEST_PASSWORD)
    page.get_by_role("button", name="Delete my account for good").click()
    pseudonym = f"Former member {maya.pk}"
    page.wait_for_url("**/communities/**")
    assert page.get_by_text(pseudonym).first.is_visible()
    assert page.get_by_role("link", name="Sign in").is_visible()  # signed out

    # Another member sees the comment under the pseudonym, and the mention rewritten.
    other = _sign_in(new_page, otto)
    other.goto(idea.get_absolute_url())
    item = other.locator(f"#comment-{comment.pk}")
    assert pseudonym in item.inner_text() and "Maya Quill" not in item.inner_text()
    assert other.get_by_text(f"Thanks {pseudonym}, trying it.").is_visible()
    assert "Maya Quill" not in other.content() and "@mayaq" not in other.content()

    # The old credentials no longer sign in.
    again = new_page()
    again.goto("/accounts/login/")
    again.fill("input[name=login]", "maya.q@example.test")
    again.fill("input[name=password]", TEST_PASSWORD)
    again.press("input[name=password]", "Enter")
    again.wait_for_load_state()
    assert "/accounts/login/" in again.url


def test_the_progress_bar_moves_without_reloading(new_page, lab):
    _idea, _comment, maya, _otto = lab
    export = DataExport.objects.create(user=maya, status="building", done=10, total=100)
    page = _sign_in(new_page, maya)
    page.goto("/accounts/data/")
    bar = page.locator("#exports progress")
    assert bar.get_attribute("value") == "10"
    page.evaluate("window.__notReloaded = true")
    DataExport.objects.filter(pk=export.pk).update(done=60)
    page.locator('#exports progress[value="60"]').wait_for()  # htmx swapped the partial in
    export.status, export.done = "failed", 100
    export.save(update_fields=["status", "done"])
    page.get_by_text("Something went wrong").wait_for()
    assert page.evaluate("window.__notReloaded") is True
    assert page.locator("#exports[hx-trigger]").count() == 0  # finished: polling stopped
