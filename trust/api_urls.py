"""API routes for trust and consent (under /api/v1/); every route is named ``api-trust-...``."""

from django.urls import path

from . import api

urlpatterns: list = [
    path("exports/", api.ExportListView.as_view(), name="api-trust-exports"),
    path("exports/<str:export_id>/", api.ExportDetailView.as_view(), name="api-trust-export"),
    path(
        "exports/<str:export_id>/download/",
        api.ExportDownloadView.as_view(),
        name="api-trust-export-download",
    ),
    path("account/erase/", api.AccountEraseView.as_view(), name="api-trust-account-erase"),
]
