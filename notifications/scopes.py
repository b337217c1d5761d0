"""A notification changes its recipient's bell, shown on every page: their cached pages are
stale. (Fan-out inserts in bulk and bumps its recipients itself; marking read does too.)"""

from django.db.models.signals import post_delete, post_save

from cocreate import generations

from .models import Notification


def _notification(sender, instance: Notification, **kwargs) -> None:
    generations.bump(generations.user(instance.recipient_id))


def connect() -> None:
    post_save.connect(_notification, sender=Notification, dispatch_uid="cocreate-scopes-notif")
    post_delete.connect(
        _notification, sender=Notification, dispatch_uid="cocreate-scopes-notif-delete"
    )
