from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Register as a consumer of domain events, and (cached pages show the bell) mark a
        # recipient's cached pages stale when their notifications change.
        # Imported here, not at the top: both import models, which need the app registry.
        from . import consumers, scopes  # noqa: F401, PLC0415 — needs the app registry
        from .pages import register_pages  # noqa: PLC0415 — needs the app registry

        consumers.register()
        # Its pages in the community navigation.
        register_pages()
