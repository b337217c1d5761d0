"""Trust pages: consent and uses (``views.consent``), data export and account deletion."""

from django.urls import path

from .views import consent as views
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
    path("me/consent/", views.mine, name="mine"),
    path("me/consent/<int:purpose_id>/grant/", views.grant, name="grant"),
    path("me/consent/<int:purpose_id>/withdraw/", views.withdraw, name="withdraw"),
    path("me/uses/", views.my_uses, name="my_uses"),
    path("c/<slug:slug>/consent/", views.purposes, name="purposes"),
    path("c/<slug:slug>/consent/<int:pk>/", views.purpose, name="purpose"),
    path("c/<slug:slug>/consent/<int:pk>/publish/", views.publish, name="publish"),
    path("c/<slug:slug>/consent/uses/", views.community_uses, name="uses"),
    path("c/<slug:slug>/consent/usable/", views.usable, name="usable"),
    path("c/<slug:slug>/ideas/<int:pk>/use/", views.contribution, name="contribution"),
    path("c/<slug:slug>/ideas/<int:pk>/use/restrict/", views.restrict, name="restrict"),
    path("c/<slug:slug>/ideas/<int:pk>/use/record/", views.record_use, name="record_use"),
]
