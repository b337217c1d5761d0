from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Register as a consumer of domain events, and (cached pages show the bell) mark a
        # recipient's cached pages stale when their notifications change.
        from . import consumers, scopes  # noqa: F401  (scopes' declarations connect themselves)

        consumers.register()
        # Its pages in the community navigation.
        from .pages import register_pages

        register_pages()
