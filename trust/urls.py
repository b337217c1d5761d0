"""Trust and consent pages."""

from django.urls import path

from . import views

app_name = "trust"

urlpatterns = [
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
