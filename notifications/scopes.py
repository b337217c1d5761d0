"""A notification changes its recipient's bell, shown on every page: their cached pages are
stale. (Fan-out inserts in bulk and bumps its recipients itself; marking read does too.)"""

from cocreate import generations

from .models import Notification


def _notification(sender, instance: Notification, **kwargs) -> None:
    generations.bump(generations.user(instance.recipient_id))


def connect() -> None:
    generations.on_change([(Notification, _notification)])
