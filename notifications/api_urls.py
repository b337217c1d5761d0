"""API routes for notifications (mounted under /api/v1/); every route is named
``api-notifications-...``."""

from django.urls import path

from . import api

urlpatterns = [
    path("notifications/", api.NotificationListView.as_view(), name="api-notifications-list"),
    path(
        "notifications/unread-count/",
        api.UnreadCountView.as_view(),
        name="api-notifications-unread-count",
    ),
    path("notifications/read-all/", api.ReadAllView.as_view(), name="api-notifications-read-all"),
    path(
        "notifications/<int:notification_id>/read/",
        api.NotificationReadView.as_view(),
        name="api-notifications-read",
    ),
    path(
        "notification-preferences/",
        api.PreferencesView.as_view(),
        name="api-notifications-preferences",
    ),
]
