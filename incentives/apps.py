from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncentivesConfig(AppConfig):
    name = "incentives"
    verbose_name = _("Incentives")

    def ready(self) -> None:
        from . import bookkeeping  # noqa: PLC0415 — imports models

        # The event-bus consumer that books points (its own queue and worker).
        bookkeeping.register()
