"""Trust pages."""

from django.urls import path

from .views import erasure, export

app_name = "trust"

urlpatterns: list = [
    path("accounts/data/", export.data, name="data"),
    path("accounts/data/exports/", export.exports_partial, name="exports"),
    path(
        "accounts/data/exports/<str:export_id>/download/",
        export.export_download,
        name="export_download",
    ),
    path("accounts/delete/", erasure.erase, name="erase"),
]
