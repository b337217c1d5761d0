"""allauth adapter: where sign-up and login hand over to Cocreate."""

from dataclasses import dataclass

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.utils import translation

from cocreate.redirects import reads_as_written

from .services import assign_handle, offered_languages


@dataclass(frozen=True)
class _Site:
    """What allauth's emails call the site: Cocreate's name, at the address it was reached."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def is_safe_url(self, url: str | None) -> bool:
        # allauth's check is Django's; a target is refused first if a browser could read it
        # differently from Python's parser (``cocreate.redirects``).
        return url is not None and reads_as_written(url) and super().is_safe_url(url)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # Without django.contrib.sites allauth would name the site after the host it was
        # reached at ("Hello from 127.0.0.1:8000!"); the emails say SITE_NAME instead.
        request = context.get("request") or allauth_context.request
        domain = get_current_site(request).domain
        site = _Site(name=settings.SITE_NAME, domain=domain)
        super().send_mail(template_prefix, email, {"current_site": site, **context})

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # The per-account limit on wrong passwords (``login_failed``: 5 in 5 minutes) is one
        # limit per account, whatever door the password is tried at (sign-in page, token
        # endpoint, password change, re-authentication) and whatever host name the request
        # came in by; allauth would keep one per host name ("example.org:ann@...").
        login = credentials.get("email", credentials.get("username", ""))
        return "account:" + str(login or "").strip().lower()

    def reauthenticate(self, user, password: str) -> bool:
        """Whether ``password`` is ``user``'s, tried like a sign-in (``authenticate``): it
        counts against the account's limit on wrong passwords and is refused while the
        account is (a ValidationError with code ``too_many_login_attempts``)."""
        email = EmailAddress.objects.get_primary_email(user) or user.email
        found = self.authenticate(allauth_context.request, email=email, password=password)
        return found is not None and found.pk == user.pk

    def populate_username(self, request, user) -> None:
        # The user model has no username; email is the login.
        return None

    def save_user(self, request, user, form, commit=True):
        # The sign-up form asks for the name others see; the @handle is derived from it.
        name = form.cleaned_data.get("display_name")
        if name:
            user.display_name = name
        # A new person keeps the language they signed up in (the switch's cookie or their
        # browser's Accept-Language): signed in, pages follow their profile's language.
        language = translation.get_language()
        if language in offered_languages():
            user.locale = language
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            assign_handle(user=user)
        return user
