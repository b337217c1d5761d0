"""API routes for trust and consent (under /api/v1/); every route is named ``api-trust-...``."""

from django.urls import path

from . import api

C = "communities/<slug:slug>"

urlpatterns: list = [
    path("exports/", api.ExportListView.as_view(), name="api-trust-exports"),
    path("exports/<str:export_id>/", api.ExportDetailView.as_view(), name="api-trust-export"),
    path(
        "exports/<str:export_id>/download/",
        api.ExportDownloadView.as_view(),
        name="api-trust-export-download",
    ),
    path("account/erase/", api.AccountEraseView.as_view(), name="api-trust-account-erase"),
    path("consent/", api.MyConsentView.as_view(), name="api-trust-consent"),
    path("consent/history/", api.MyHistoryView.as_view(), name="api-trust-history"),
    path("consent/uses/", api.MyUsesView.as_view(), name="api-trust-my-uses"),
    path("consent/<int:purpose_id>/grant/", api.GrantView.as_view(), name="api-trust-grant"),
    path(
        "consent/<int:purpose_id>/withdraw/", api.WithdrawView.as_view(), name="api-trust-withdraw"
    ),
    path(f"{C}/consent/purposes/", api.PurposeListView.as_view(), name="api-trust-purpose-list"),
    path(
        f"{C}/consent/purposes/<int:purpose_id>/draft/",
        api.PurposeDraftView.as_view(),
        name="api-trust-purpose-draft",
    ),
    path(
        f"{C}/consent/purposes/<int:purpose_id>/publish/",
        api.PurposePublishView.as_view(),
        name="api-trust-purpose-publish",
    ),
    path(f"{C}/consent/uses/", api.UseListView.as_view(), name="api-trust-use-list"),
    path(
        f"{C}/consent/contributions/<int:contribution_id>/restrictions/",
        api.RestrictionsView.as_view(),
        name="api-trust-restrictions",
    ),
]
