"""Trust and consent pages."""

app_name = "trust"

urlpatterns: list = []
