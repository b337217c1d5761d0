from django.apps import AppConfig


class CocreateConfig(AppConfig):
    """The project package as an app, for the two tables the cache boundary keeps in the
    database for when Redis is unreachable (``cocreate.models``)."""

    name = "cocreate"
    label = "cocreate"
    verbose_name = "Cocreate"
    default_auto_field = "django.db.models.BigAutoField"
