from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = _("Communities")

    def ready(self) -> None:
        # Cached pages go stale when what they show changes.
        from . import scopes  # noqa: F401, PLC0415 — connects its declarations; imports models
        from .pages import register_home, register_pages  # noqa: PLC0415 — imports models

        # Its pages in the community navigation, and what it adds to a community's home.
        register_pages()
        register_home()
