"""The language switch, mounted at ``i18n/`` by the project's URLconf (by name, so the
infrastructure package imports no app)."""

from django.urls import path

from . import views

urlpatterns = [
    # Django's own view, wrapped: signed in, the choice is also saved on the profile.
    path("setlang/", views.set_language, name="set_language"),
]
