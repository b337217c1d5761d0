"""API routes for moderation (under /api/v1/)."""

from django.urls import path

from . import api

M = "communities/<slug:slug>/moderation"

urlpatterns = [
    path("flags/", api.FlagListView.as_view(), name="api-moderation-flag-list"),
    path(f"{M}/queue/", api.QueueView.as_view(), name="api-moderation-queue"),
    path(f"{M}/actions/", api.ActionListView.as_view(), name="api-moderation-action-list"),
    path(f"{M}/actions/bulk/", api.BulkActionView.as_view(), name="api-moderation-action-bulk"),
    path(f"{M}/my-actions/", api.MyActionListView.as_view(), name="api-moderation-my-actions"),
    path(
        f"{M}/my-actions/<int:action_id>/appeal/",
        api.AppealCreateView.as_view(),
        name="api-moderation-appeal-create",
    ),
    path(f"{M}/appeals/", api.AppealListView.as_view(), name="api-moderation-appeal-list"),
    path(
        f"{M}/appeals/<int:appeal_id>/decide/",
        api.AppealDecideView.as_view(),
        name="api-moderation-appeal-decide",
    ),
    path(f"{M}/settings/", api.SettingsView.as_view(), name="api-moderation-settings"),
    path(f"{M}/transparency/", api.TransparencyView.as_view(), name="api-moderation-transparency"),
]
