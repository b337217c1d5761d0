from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrustConfig(AppConfig):
    name = "trust"
    verbose_name = _("Trust and consent")

    def ready(self) -> None:
        # Imported once the app registry is ready: these modules import models.
        from communities import join_hooks  # noqa: PLC0415 — imports models

        # rules registers the permissions; scopes connects its cache declarations.
        from . import rules, scopes  # noqa: F401, PLC0415
        from .joining import join_questions, record_join_consents  # noqa: PLC0415
        from .pages import register_pages  # noqa: PLC0415 — needs the app registry

        # Joining a community (below trust) shows its purposes and records the answers in the
        # join's transaction.
        join_hooks.register(questions=join_questions, record=record_join_consents)
        register_pages()
        # The export task is queued by its name (trust.services.export): register it in every
        # process, web included, not only where Celery autodiscovers tasks.
        from . import tasks  # noqa: F401, PLC0415 — needs the app registry
