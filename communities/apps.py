from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = _("Communities")

    def ready(self) -> None:
        # Cached pages go stale when what they show changes.
        from . import scopes  # noqa: F401, PLC0415 — connects its declarations; imports models
