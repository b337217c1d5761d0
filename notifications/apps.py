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
        # A worker that starts (after a crash, a deploy) sends what is due or stuck at once,
        # rather than at the email relay's next pass.
        from celery.signals import worker_ready  # noqa: PLC0415 — only with the app ready

        worker_ready.connect(_relay_emails_on_start, weak=False, dispatch_uid="relay_emails")


def _relay_emails_on_start(**_kwargs) -> None:
    from .tasks import relay_emails  # noqa: PLC0415 — tasks import the models

    try:
        relay_emails.delay()
    except Exception:  # broker down: the worker cannot run anything anyway; beat relays later
        return
