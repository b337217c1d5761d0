from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "knowledge"
    verbose_name = _("Knowledge")

    def ready(self) -> None:
        # Cached pages go stale when what they show changes.
        from . import scopes  # noqa: F401, PLC0415 — connects its declarations; imports models
        from .home import register_home  # noqa: PLC0415 — imports models
        from .pages import register_pages  # noqa: PLC0415 — needs the app registry

        # Its pages in the community navigation, and what it adds to a community's home.
        register_pages()
        register_home()
