from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Cached copies go stale when a user or their API token changes.
        from . import scopes  # noqa: F401, PLC0415 — connects its declarations; imports models
