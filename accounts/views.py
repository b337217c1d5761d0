from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import i18n

from . import services
from .forms import ProfileForm


def _remember_language(response: HttpResponse, language: str) -> None:
    """Set the language cookie as Django's set_language does, so the language stays the same
    after signing out."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@login_required
def profile_edit(request):
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            services.profile_update(user=user, **form.cleaned_data)
            messages.success(request, _("Your profile was saved."))
            response = redirect("profile_edit")
            _remember_language(response, form.cleaned_data["locale"])
            return response
    else:
        form = ProfileForm(
            initial={
                "display_name": user.display_name,
                "bio": user.bio,
                "expertise_tags": ", ".join(user.expertise_tags),
                "locale": user.locale,
                "timezone": user.timezone,
            }
        )
    return render(request, "accounts/profile_edit.html", {"form": form})


def set_language(request: HttpRequest) -> HttpResponse:
    """The footer's language switch: Django's ``set_language`` (language cookie, redirect back;
    a GET only redirects), and for a signed-in person the language is also saved as their
    profile's language, which is what their pages are shown in (``UserTimezoneMiddleware``).

    A code the site does not offer is ignored, as Django ignores it: nothing is saved.
    """
    response = i18n.set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        language = request.POST.get(i18n.LANGUAGE_QUERY_PARAMETER, "")
        if language in services.offered_languages():
            services.locale_set(user=request.user, language=language)
    return response
