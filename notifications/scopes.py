"""A notification changes its recipient's bell, shown on every page: their cached pages are
stale. (Fan-out inserts in bulk and marking read updates in bulk: both call
``caching.changed``.)"""

from cocreate.caching import generations, invalidates

from .models import Notification


@invalidates(Notification)
def _notification(notification: Notification, fields) -> list[str]:
    return [generations.user(notification.recipient_id)]
