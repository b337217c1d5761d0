from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        # Cached pages go stale when what they show changes.
        from . import scopes  # noqa: F401  (its declarations connect themselves)

        # Its pages in the community navigation.
        from .pages import register_pages

        register_pages()
        # What it adds to a community's home.
        from .home import register_home

        register_home()
