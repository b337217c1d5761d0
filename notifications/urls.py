"""Notification pages. Mounted at the root (``path("", include("notifications.urls"))``), so
each route carries its full path: the inbox under /notifications/, announcements under a
community's /c/<slug>/."""

from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/read-all/", views.notification_read_all, name="read_all"),
    path("notifications/<int:pk>/open/", views.notification_open, name="open"),
    path("notifications/<int:pk>/read/", views.notification_read, name="read"),
    path("notifications/<int:pk>/follow/", views.notification_follow, name="follow"),
    path("notifications/preferences/", views.preferences, name="preferences"),
    path("notifications/mute/", views.mute, name="mute"),
    path("notifications/impact/", views.impact, name="impact"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("c/<slug:slug>/announce/", views.announce, name="announce"),
    path("c/<slug:slug>/announcements/<int:pk>/", views.announcement, name="announcement"),
]
