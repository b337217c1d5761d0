from django.urls import path

from . import views

app_name = "incentives"

urlpatterns = [
    path("c/<slug:slug>/points/", views.wallet, name="wallet"),
    path("c/<slug:slug>/manage/points/", views.rules, name="rules"),
]
