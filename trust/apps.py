from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrustConfig(AppConfig):
    name = "trust"
    verbose_name = _("Trust and consent")

    def ready(self) -> None:
        # The export task is queued by its name (trust.services.export): register it in every
        # process, web included, not only where Celery autodiscovers tasks.
        from . import tasks  # noqa: F401, PLC0415 — needs the app registry
