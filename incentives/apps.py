from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncentivesConfig(AppConfig):
    name = "incentives"
    verbose_name = _("Incentives")

    def ready(self) -> None:
        from . import bookkeeping  # noqa: PLC0415 — imports models
        from .pages import register_pages  # noqa: PLC0415 — needs the app registry

        register_pages()
        # The event-bus consumer that books points (its own queue and worker).
        bookkeeping.register()
