"""Every REST endpoint lives under /api/v1/; each app contributes its routes."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.api_urls")),
    path("", include("communities.api_urls")),
    path("", include("knowledge.api_urls")),
    path("", include("notifications.api_urls")),
    path("", include("moderation.api_urls")),
    path("", include("trust.api_urls")),
    path("", include("incentives.api_urls")),
]
