from django.urls import path

from . import views

app_name = "moderation"

urlpatterns = [
    path("c/<slug:slug>/ideas/<int:pk>/flag/", views.flag_contribution, name="flag_contribution"),
    path("c/<slug:slug>/comments/<int:pk>/flag/", views.flag_comment, name="flag_comment"),
    path("c/<slug:slug>/moderation/", views.queue, name="queue"),
    path(
        "c/<slug:slug>/moderation/contributions/<int:pk>/",
        views.contribution,
        name="contribution",
    ),
    path("c/<slug:slug>/moderation/comments/<int:pk>/", views.comment, name="comment"),
    path("c/<slug:slug>/moderation/members/<int:user_id>/", views.member, name="member"),
    path("c/<slug:slug>/moderation/appeals/", views.appeals, name="appeals"),
    path(
        "c/<slug:slug>/moderation/appeals/<int:pk>/decide/",
        views.appeal_decide,
        name="appeal_decide",
    ),
    path("c/<slug:slug>/moderation/log/", views.log, name="log"),
    path("c/<slug:slug>/moderation/log.csv", views.log_csv, name="log_csv"),
    path("c/<slug:slug>/moderation/settings/", views.moderation_settings, name="settings"),
    path("c/<slug:slug>/moderation/transparency/", views.transparency, name="transparency"),
    path("c/<slug:slug>/moderation/mine/", views.mine, name="mine"),
    path("c/<slug:slug>/moderation/mine/<int:pk>/appeal/", views.appeal, name="appeal"),
]
