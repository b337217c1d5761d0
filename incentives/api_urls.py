"""API routes for points (under /api/v1/)."""

from django.urls import path

from . import api

P = "communities/<slug:slug>/points"

urlpatterns = [
    path(f"{P}/wallet/", api.WalletView.as_view(), name="api-points-wallet"),
    path(f"{P}/history/", api.HistoryView.as_view(), name="api-points-history"),
    path(f"{P}/rules/", api.RulesView.as_view(), name="api-points-rules"),
]
