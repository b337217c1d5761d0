"""Account pages: sign-in through allauth (session rotation, rate limits, the admin's login)
and the profile page."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from accounts.models import User

from ..factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


class TestLogin:
    def test_login_rotates_the_session_key(self, client):
        user = UserFactory(email="rider@example.test")
        client.get("/communities/")
        session = client.session
        session["marker"] = "before"
        session.save()
        before = client.session.session_key
        assert before
        response = client.post(
            "/accounts/login/", {"login": "rider@example.test", "password": TEST_PASSWORD}
        )
        assert response.status_code == 302
        after = client.session.session_key
        assert after and after != before
        assert client.session["_auth_user_id"] == str(user.pk)

    def test_login_page_looks_like_the_product(self, client):
        body = client.get("/accounts/login/").content.decode()
        assert 'class="site-header"' in body
        assert 'name="login"' in body and 'name="password"' in body

    def test_admin_login_goes_through_allauth(self, client):
        response = client.get("/admin/", follow=True)
        # Django's admin sends to its login view, which allauth's secure_admin_login replaces.
        final, status = response.redirect_chain[-1]
        url = urlsplit(final)
        assert status == 302
        assert (url.path, parse_qs(url.query)) == ("/accounts/login/", {"next": ["/admin/"]})
        assert response.status_code == 200 and 'name="password"' in response.content.decode()

    def test_repeated_failed_logins_are_rate_limited(self, client):
        UserFactory(email="target@example.test")
        statuses = [
            client.post(
                "/accounts/login/", {"login": "target@example.test", "password": "nope"}
            ).status_code
            for _ in range(40)
        ]
        assert statuses[0] == 200
        assert 429 in statuses
        # Once limited, even the right password is refused for now.
        response = client.post(
            "/accounts/login/", {"login": "target@example.test", "password": TEST_PASSWORD}
        )
        assert response.status_code in (200, 429)
        assert "_auth_user_id" not in client.session


class TestProfile:
    def test_edit_profile(self, client):
        user = UserFactory(display_name="Old Name")
        client.force_login(user)
        response = client.get(reverse("profile_edit"))
        assert response.status_code == 200
        response = client.post(
            reverse("profile_edit"),
            {
                "display_name": "New Name",
                "bio": "I build bikes.",
                "expertise_tags": "Cycling, cycling, Design",
                "locale": "en",
                "timezone": "Europe/Berlin",
            },
        )
        assert response.status_code == 302
        user.refresh_from_db()
        assert user.display_name == "New Name"
        assert user.expertise_tags == ["cycling", "design"]

    def test_bad_input_shows_errors_and_saves_nothing(self, client):
        user = UserFactory(display_name="Kept")
        client.force_login(user)
        response = client.post(
            reverse("profile_edit"),
            {"display_name": "", "locale": "xx", "timezone": "Mars/Olympus"},
        )
        assert response.status_code == 200
        assert {"display_name", "locale", "timezone"} <= set(response.context["form"].errors)
        user.refresh_from_db()
        assert user.display_name == "Kept"

    def test_the_profile_says_how_others_mention_you(self, client):
        user = UserFactory(display_name="Maya Member", handle="maya_member")
        client.force_login(user)
        body = client.get(reverse("profile_edit")).content.decode()
        assert "Others can mention you as @maya_member" in body

    def test_anonymous_goes_to_login(self, client):
        response = client.get(reverse("profile_edit"))
        assert response["Location"].startswith("/accounts/login/")


class TestSignup:
    PASSWORD = "a-long-sign-up-passphrase"

    def post(self, client, **extra):
        data = {"email": "nia@example.test", "password1": self.PASSWORD, "password2": self.PASSWORD}
        data.update(extra)
        return client.post("/accounts/signup/", data)

    def test_sign_up_asks_for_the_name_others_see(self, client):
        body = client.get("/accounts/signup/").content.decode()
        assert 'name="display_name"' in body and "Display name" in body
        response = self.post(client, display_name="  Nia   Newbie ")
        assert response.status_code == 302
        user = User.objects.get(email="nia@example.test")
        assert user.display_name == "Nia Newbie"
        assert user.handle == "nia_newbie"  # from the name, not the email

    def test_a_blank_name_is_refused_and_nobody_is_created(self, client):
        response = self.post(client, display_name="   ")
        assert response.status_code == 200
        assert "display_name" in response.context["form"].errors
        assert not User.objects.filter(email="nia@example.test").exists()

    def test_emails_name_the_site_cocreate_not_the_host(self, client, mailoutbox):
        self.post(client, display_name="Nia Newbie")
        message = mailoutbox[-1]
        assert message.subject.startswith("[Cocreate]")
        assert "Cocreate" in message.body
        assert "Hello from testserver" not in message.body
        # The link still points at the address the site was reached at.
        assert "http://testserver/accounts/confirm-email/" in message.body


@pytest.mark.parametrize("url", ["/accounts/signup/", "/accounts/login/", "/communities/"])
def test_one_spelling_of_sign_up_and_sign_in(client, url):
    body = client.get(url).content.decode()
    for other in ("Sign Up", "Signup", "Sign In"):
        assert other not in body, (url, other)
    assert "Sign up" in body and "Sign in" in body
