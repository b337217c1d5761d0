from django.apps import AppConfig


class BusTestConsumersConfig(AppConfig):
    """Installed only in the worker processes the bus tests start (``worker_settings``)."""

    name = "tests.events"
    label = "bustest"

    def ready(self) -> None:
        from . import consumers  # noqa: PLC0415 — it imports models: needs the app registry

        consumers.register()
