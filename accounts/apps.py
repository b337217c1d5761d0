from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    # allauth's account app is "Accounts" (sign-in email addresses) in the admin index; ours
    # holds the people themselves, so the index shows two distinct sections.
    verbose_name = _("People")

    def ready(self) -> None:
        # Cached copies go stale when a user or their API token changes (scopes); allauth's rate
        # limits hold while Redis is unreachable, counted in the database (login_limits).
        from . import login_limits, scopes  # noqa: F401, PLC0415 — need the app registry

        login_limits.install()
