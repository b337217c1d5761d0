"""The language a page is in: signed in, the profile's language, which the footer's switch
sets; signed out, the switch's cookie, else the browser's Accept-Language."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services
from accounts.models import User

from ..factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

DIRECTORY = "/communities/"
PROFILE = "/accounts/profile/"


def in_german(html: str) -> bool:
    return '<html lang="de">' in html and "Gemeinschaften" in html


def in_english(html: str) -> bool:
    return '<html lang="en">' in html and ">Communities<" in html


def switch(client, language: str, next_url: str = DIRECTORY):
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


def selected_language(html: str) -> str:
    """The option the profile form's Language field shows as chosen."""
    field = html[html.index('name="locale"') :]
    field = field[: field.index("</select>")]
    chosen = field[: field.index(" selected")]
    return chosen[chosen.rindex('value="') + len('value="') :].split('"', 1)[0]


class TestSignedIn:
    def test_the_switch_changes_the_next_page_and_the_profile(self, client):
        user = UserFactory()
        client.force_login(user)
        # The user row is now in the shared cache (accounts.auth_cache): the switch must make
        # the next request read it afresh.
        assert in_english(client.get(DIRECTORY).content.decode())
        assert selected_language(client.get(PROFILE).content.decode()) == "en"

        response = switch(client, "de")

        assert response.status_code == 302 and response["Location"] == DIRECTORY
        assert User.objects.get(pk=user.pk).locale == "de"
        assert in_german(client.get(DIRECTORY).content.decode())
        assert selected_language(client.get(PROFILE).content.decode()) == "de"

        switch(client, "en")
        assert in_english(client.get(DIRECTORY).content.decode())

    def test_the_profile_language_wins_over_cookie_and_browser(self, client):
        user = UserFactory(locale="de")
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        assert in_german(client.get(DIRECTORY, HTTP_ACCEPT_LANGUAGE="en").content.decode())

    def test_the_choice_outlives_the_session(self, client):
        user = UserFactory()
        client.force_login(user)
        switch(client, "de")
        client.logout()
        client.cookies.clear()
        client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
        assert in_german(client.get(DIRECTORY).content.decode())

    @pytest.mark.parametrize("language", ["xx", "es", "", "de-at-very-long-language-code"])
    def test_a_language_not_offered_is_ignored(self, client, language):
        user = UserFactory(locale="de")
        client.force_login(user)
        response = switch(client, language)
        assert response.status_code == 302
        assert User.objects.get(pk=user.pk).locale == "de"
        assert in_german(client.get(DIRECTORY).content.decode())

    def test_a_get_changes_nothing(self, client):
        user = UserFactory()
        client.force_login(user)
        response = client.get(reverse("set_language"), {"language": "de", "next": DIRECTORY})
        assert response.status_code == 302
        assert User.objects.get(pk=user.pk).locale == "en"
        assert settings.LANGUAGE_COOKIE_NAME not in response.cookies

    def test_saving_the_profile_sets_the_cookie_for_after_signing_out(self, client):
        user = UserFactory()
        client.force_login(user)
        form = {"display_name": "Rider", "bio": "", "expertise_tags": "", "timezone": "UTC"}
        response = client.post(PROFILE, {**form, "locale": "de"})
        assert response.status_code == 302
        assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
        assert in_german(client.get(DIRECTORY).content.decode())
        client.post(reverse("account_logout"))  # as a person signs out: cookies stay
        html = client.get(DIRECTORY).content.decode()
        assert in_german(html) and "Abmelden" not in html


class TestSignedOut:
    def test_the_switch_sets_the_cookie(self, client):
        response = switch(client, "de")
        assert response.status_code == 302
        assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
        assert in_german(client.get(DIRECTORY).content.decode())
        switch(client, "en")
        assert in_english(client.get(DIRECTORY).content.decode())

    def test_the_browser_language_is_used_without_a_cookie(self, client):
        assert in_german(
            client.get(DIRECTORY, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9").content.decode()
        )
        assert in_english(client.get(DIRECTORY, HTTP_ACCEPT_LANGUAGE="es").content.decode())

    def test_the_switch_names_each_language_in_itself(self, client):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
        html = client.get(DIRECTORY).content.decode()
        for code, name in (("en", "English"), ("de", "Deutsch"), ("fr", "Français")):
            assert f'<option value="{code}" lang="{code}"' in html and f">{name}</option>" in html

    def test_a_cookie_wins_over_the_browser(self, client):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        assert in_english(client.get(DIRECTORY, HTTP_ACCEPT_LANGUAGE="de").content.decode())

    def test_signing_up_keeps_the_language_signed_up_in(self, client):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
        response = client.post(
            reverse("account_signup"),
            {
                "display_name": "Nele Neu",
                "email": "neu@example.test",
                "password1": "a-long-pass-phrase",
                "password2": "a-long-pass-phrase",
            },
        )
        assert response.status_code == 302
        assert User.objects.get(email="neu@example.test").locale == "de"


class TestLocaleSet:
    def test_stores_an_offered_language(self):
        user = UserFactory()
        services.locale_set(user=user, language="de")
        assert User.objects.get(pk=user.pk).locale == "de"

    def test_refuses_a_language_not_offered(self):
        user = UserFactory()
        with pytest.raises(ValidationError):
            services.locale_set(user=user, language="es")
        assert User.objects.get(pk=user.pk).locale == "en"

    def test_the_same_language_writes_nothing(self):
        user = UserFactory(locale="de")
        with CaptureQueriesContext(connection) as ctx:
            services.locale_set(user=user, language="de")
        assert not [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]
