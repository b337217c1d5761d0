"""API routes for trust and consent (under /api/v1/)."""

urlpatterns: list = []
