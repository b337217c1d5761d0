"""Request middleware for accounts: who is signed in (without a query per request), and their
time zone and language."""

import zoneinfo

from django.contrib.auth.middleware import AuthenticationMiddleware
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone, translation

from . import auth_cache


class CachedAuthenticationMiddleware(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware with the user row served from the shared cache while
    the user's generation token is unchanged (see ``accounts.auth_cache``). A subclass, so the
    admin's and allauth's checks for AuthenticationMiddleware still recognise it."""

    def process_request(self, request):
        if not hasattr(request, "session"):
            raise ImproperlyConfigured(
                "The authentication middleware requires session middleware to be installed. "
                "Put 'django.contrib.sessions.middleware.SessionMiddleware' before "
                "'accounts.middleware.CachedAuthenticationMiddleware' in MIDDLEWARE."
            )
        auth_cache.attach(request)


class UserTimezoneMiddleware:
    """Activate the signed-in member's time zone and language for each request.

    Signed in, the profile's language wins over the language cookie and Accept-Language
    (the language switch saves the choice on the profile: ``accounts.views.set_language``);
    signed out, LocaleMiddleware's choice stands."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.timezone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
            if user.locale:
                translation.activate(user.locale)
                request.LANGUAGE_CODE = user.locale
        else:
            timezone.deactivate()
        return self.get_response(request)
